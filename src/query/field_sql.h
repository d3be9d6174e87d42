// How fields read in SQL, and which literals each field can be compared with.
//
// This is the one place that knows the index schema (runs r, params p, tags t, metrics m) and
// the typing rules in query.h; the compiler only arranges the pieces.
#pragma once

#include "query/ast.h"
#include "query/query.h"
#include "query/source.h"
#include "trail/status.h"

namespace trail::query {

enum class ValueView {
  kNatural,  // the value in its own type: sorting and IS NULL
  kNumber,   // compared with a number
  kText,     // compared with a string or a pattern
};

// The SQL expression for `field` seen as `view`, with its key (if any) bound. Keyed fields are
// correlated scalar subqueries on r.rowid, NULL when the run lacks the key.
SqlFragment FieldSql(const FieldRef& field, ValueView view);

// The `fields` table's key of a derived or context field: "derived.<key>" / "context.<key>".
std::string FieldsKey(const FieldRef& field);

// The index-walk plan for sorting by `field` (query.h SortPlan), or nullopt when none exists.
std::optional<SortPlan> IndexedSort(const FieldRef& field, bool descending);

// The left side and the bound value for comparing `field` with `literal`.
struct Operand {
  SqlFragment field;
  SqlValue value;
};

// How `literal` compares with `field`: the view of the field it reads, lower-cased first when
// `lowered` (true/false against text: Python records True, most other tools true), and the value
// bound. MatchLiteral's decision, shared with the column planner (column_filter.h) so that the
// SQL and the columns cannot read a literal differently. Errors as MatchLiteral's.
struct LiteralMatch {
  ValueView view = ValueView::kText;
  bool lowered = false;
  SqlValue value;
};
StatusOr<LiteralMatch> ClassifyLiteral(const Source& source, const FieldRef& field, const Literal& literal);

// Matches `literal` to `field`'s type, or explains (pointing at the literal) why it cannot be.
StatusOr<Operand> MatchLiteral(const Source& source, const FieldRef& field, const Literal& literal);

// `field` as text for LIKE/ILIKE, or an error at `op_span` if the field holds no text.
StatusOr<SqlFragment> PatternTarget(const Source& source, const FieldRef& field, Span op_span);

}  // namespace trail::query
