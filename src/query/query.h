// The run query language of `trail ls --where EXPR --sort KEY`, compiled to SQLite SQL.
//
// It is MLflow's search syntax, which ML users already know
// (`metrics.val_loss < 0.3 and params.optimizer = 'adam'`), plus `or`, `not` and parentheses.
//
// Grammar (keywords, prefixes, function and attribute names are case-insensitive; keys are not):
//
//   condition   := conjunction { OR conjunction }
//   conjunction := negation { AND negation }
//   negation    := NOT negation | '(' condition ')' | predicate
//   predicate   := field compare_op value
//                | field [NOT] (LIKE | ILIKE) string
//                | field [NOT] IN '(' value { ',' value } ')'
//                | field IS [NOT] NULL
//   compare_op  := '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='
//   value       := number | string | TRUE | FALSE
//   field       := prefix '.' key                      metrics.loss, params."a-b", tags.stage
//                | stat '(' metric_prefix '.' key ')'  min(metrics.loss)
//                | attribute                           status, started, ...
//   prefix      := metric_prefix | params | param | tags | tag | derived | context
//                | attributes | attribute | attr
//   metric_prefix := metrics | metric
//   stat        := MIN | MAX | COUNT | LAST             a bare metrics.k means LAST(metrics.k)
//   key         := [A-Za-z0-9_./-]+                    val_loss, train.lr, layer-1, eval/acc
//                | '`' chars '`' | '"' chars '"'        metrics.`val loss`
//   number      := ['-'] (digits ['.' [digits]] | '.' digits) [('e'|'E') ['+'|'-'] digits]
//   string      := "'" chars "'" | '"' chars '"'
//   sort_key    := field [ASC | DESC]
//
// In quoted strings and keys a doubled quote stands for the quote; backslash escapes \\ \' \" \`
// \n \t \r; any other backslash pair is kept as written, so LIKE 'a\_b' reaches the pattern intact.
// Precedence is NOT > AND > OR. No whitespace is allowed around the '.' of a field. Nesting is
// bounded so the SQL fits SQLite's parser: at most 47 levels of parentheses and `not`, and about
// 20 levels of and/or nested inside each other.
//
// Attributes (columns of the runs table): id|run_id, name|run_name, number, uid, status, user,
// started|start_time, ended|end_time, duration|duration_s, exit_code, command, host, parent,
// archived, branch, commit. started/ended compare as ISO-8601 UTC text against a string and as
// unix seconds against a number; archived compares with true/false (or 1/0).
//
// Typing: a number compares numerically and a string textually. Metrics are numbers, so a string
// is an error. A param compared with a number uses its numeric value (params that are not numbers
// never match); with a string, its text. Tags and text attributes are text: a number compares as
// the text it was written as (tags.v = 2 is tags.v = '2'). true/false compare with =, != and IN;
// on text they match 'true'/'false' in any letter case. LIKE is case-sensitive and ILIKE
// ASCII-case-insensitive; both take % and _ wildcards and \ as the escape character, and both need
// a text field.
//
// Missing values: a run without the field fails every comparison, including !=, NOT LIKE and
// NOT IN; IS NULL matches it. `not` is two-valued: it turns that failure into a match, so
// `not tags.stage = 'draft'` also returns runs that have no stage tag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "trail/status.h"

namespace trail::query {

using SqlValue = std::variant<int64_t, double, std::string>;

// SQL text plus the values for its '?' placeholders, in order. All user text (keys and literals)
// is in `binds`; `sql` is built only from the compiler's own strings.
struct SqlFragment {
  std::string sql;
  std::vector<SqlValue> binds;
};

// Compiles a condition into a boolean SQL expression for `SELECT ... FROM runs r WHERE <sql>`.
// Fields become correlated subqueries over params, tags and metrics keyed on r.rowid.
// Errors are InvalidArgument with one line such as
//   "bad query at column 17: expected a value after '<' (near 'and')"
// where the column counts characters of `text` from 1.
StatusOr<SqlFragment> CompileWhere(std::string_view text);

// Compiles a sort key (a field, as in CompileWhere) into an ORDER BY list that puts runs without
// the field last: "(<expr>) IS NULL, (<expr>) ASC|DESC". A trailing ASC or DESC in `key`
// overrides `descending`, as MLflow's order_by allows. Params sort numbers (numerically) before
// text. Errors read "bad sort key at column N: ...".
StatusOr<SqlFragment> CompileOrderBy(std::string_view key, bool descending);

// How to read a sort key's runs in order from an index of its keyed table instead of sorting
// every run (a page of a large listing then costs only the rows before it). The rows of `table`
// (read as alias `s`) whose `key` column is `key` and whose `value` is not NULL, ordered by
// `value`, are the runs that have the field, in CompileOrderBy's order; the runs without one come
// after them. The index schema has an index on (key, value) for each such table.
struct SortPlan {
  std::string table;  // metrics, params, tags or fields
  std::string value;  // SQL over `s`
  std::string key;    // bound, never spliced
  bool descending = false;
};

// The plan for `key` (same syntax and errors as CompileOrderBy), or nullopt for a field with no
// such index (attributes, and metric stats other than the last value).
StatusOr<std::optional<SortPlan>> PlanSort(std::string_view key, bool descending);

}  // namespace trail::query
