// Recursive-descent parser from query text to the AST (grammar in query.h).
#pragma once

#include "query/ast.h"
#include "query/source.h"
#include "trail/status.h"

namespace trail::query {

// Parses a whole condition; all of the text must be consumed.
StatusOr<ExprPtr> ParseCondition(const Source& source);

// Parses a sort key: one field, optionally followed by ASC or DESC.
StatusOr<SortKey> ParseSortKey(const Source& source);

}  // namespace trail::query
