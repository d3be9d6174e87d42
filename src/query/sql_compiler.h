// Turns a parsed condition or sort key into SQL over the index schema.
#pragma once

#include "query/ast.h"
#include "query/query.h"
#include "query/source.h"
#include "trail/status.h"

namespace trail::query {

// A boolean SQL expression for `expr`; fails only when a literal does not fit its field's type.
StatusOr<SqlFragment> CompileCondition(const Source& source, const Expr& expr);

// "(<value>) IS NULL, (<value>) ASC|DESC": runs without the field last in either direction.
SqlFragment CompileSortKey(const FieldRef& field, bool descending);

}  // namespace trail::query
