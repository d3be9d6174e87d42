#include "query/query.h"

#include "query/field_sql.h"
#include "query/parser.h"
#include "query/sql_compiler.h"

namespace trail::query {

StatusOr<SqlFragment> CompileWhere(std::string_view text) {
  Source source{text, "query"};
  TRAIL_ASSIGN_OR_RETURN(ExprPtr expr, ParseCondition(source));
  return CompileCondition(source, *expr);
}

StatusOr<SqlFragment> CompileOrderBy(std::string_view key, bool descending) {
  Source source{key, "sort key"};
  TRAIL_ASSIGN_OR_RETURN(SortKey sort, ParseSortKey(source));
  return CompileSortKey(sort.field, sort.descending.value_or(descending));
}

StatusOr<std::optional<SortPlan>> PlanSort(std::string_view key, bool descending) {
  Source source{key, "sort key"};
  TRAIL_ASSIGN_OR_RETURN(SortKey sort, ParseSortKey(source));
  return IndexedSort(sort.field, sort.descending.value_or(descending));
}

}  // namespace trail::query
