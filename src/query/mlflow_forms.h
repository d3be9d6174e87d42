// MLflow's meanings of attribute values, so a query copied from MLflow finds the same runs:
// statuses in upper case (`attributes.status = 'FINISHED'`) and times in milliseconds since the
// epoch (`attributes.start_time > 1764000000000`). Applied by the parser to every literal, so the
// SQL and the column evaluation (column_filter.h) see the same values.
#pragma once

#include "query/ast.h"

namespace trail::query {

// Numbers at or above this, compared with a time, are milliseconds: 1e11 seconds is the year
// 5138, 1e11 milliseconds is March 1973.
inline constexpr double kMillisecondsFrom = 1e11;

// True for fields compared without regard to ASCII case: `status` (trail's statuses are lower
// case, MLflow's upper case): the SQL compares lower(status) with the lower-cased literal, and
// LIKE on it behaves as ILIKE.
bool FoldsCase(const FieldRef& field);

// `literal` as the field compares it: status text lower-cased; a time's number of milliseconds
// made seconds. Anything else is left as it is.
void NormalizeLiteral(const FieldRef& field, Literal& literal);

}  // namespace trail::query
