// The public RunQuery as the index's ListQuery: one conversion for every listing in src/api.
#pragma once

#include "index/run_index.h"
#include "trail/runs.h"

namespace trail::api {

inline index::ListQuery ToListQuery(const RunQuery& query) {
  index::ListQuery q;
  q.where = query.where;
  q.sort = query.sort;
  q.descending = query.descending;
  q.limit = query.limit;
  q.offset = query.offset;
  q.include_archived = query.include_archived;
  return q;
}

}  // namespace trail::api
