// Turns a parsed condition or sort key into SQL over the index schema.
#pragma once

#include "query/ast.h"
#include "query/query.h"
#include "query/source.h"
#include "trail/status.h"

namespace trail::query {

// SQLite's parser has a fixed stack (about 100 entries) that nested SQL uses up: measured on
// SQLite 3.40, each `not` level of ours costs about 1 entry and each and/or level about 3, and
// the heaviest predicate plus a caller's `WHERE 1 AND (...)` about 24. A condition whose SQL
// would cost more than this budget is rejected, leaving a dozen entries for callers to spare.
inline constexpr int kSqlNestingBudget = 60;
inline constexpr int kNegationCost = 1;
inline constexpr int kJunctionCost = 3;

// A boolean SQL expression for `expr`. Fails when a literal does not fit its field's type or the
// SQL would exceed kSqlNestingBudget.
StatusOr<SqlFragment> CompileCondition(const Source& source, const Expr& expr);

// "(<value>) IS NULL, (<value>) ASC|DESC": runs without the field last in either direction.
SqlFragment CompileSortKey(const FieldRef& field, bool descending);

}  // namespace trail::query
