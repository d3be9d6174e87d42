#include "index/run_scan.h"

#include <algorithm>
#include <functional>
#include <variant>
#include <vector>

#include "query/query.h"
#include "record/record.h"

namespace trail::index {
namespace {

// Fewer runs than this share of the index: each run's values are read by key (run = ?), as
// ForEach does; more: each table is read whole, once.
constexpr int64_t kWholeTableShare = 8;
// How much of the index file the scan's connection maps (RunIndex's default).
constexpr int64_t kMapBytes = int64_t{1} << 30;

void AddBinds(const query::SqlFragment& fragment, std::vector<SqlValue>* binds) {
  for (const auto& v : fragment.binds) std::visit([&](const auto& x) { binds->push_back(SqlValue(x)); }, v);
}

// The runs of the listing, in ForEach's order (its plain SQL form: the rows ForEach gives
// whichever way it takes), as SELECT rowid + the attributes.
StatusOr<std::string> ListingSql(const ListQuery& q, std::vector<SqlValue>* binds) {
  std::string filter = "1";
  if (!q.include_archived) filter += " AND +r.archived = 0";  // not through runs_archived (run_index.cc)
  if (!q.where.empty()) {
    TRAIL_ASSIGN_OR_RETURN(query::SqlFragment where, query::CompileWhere(q.where));
    filter += " AND (" + where.sql + ")";
    AddBinds(where, binds);
  }
  std::string order = "r.started_ts DESC, r.number DESC";
  if (!q.sort.empty()) {
    TRAIL_ASSIGN_OR_RETURN(query::SqlFragment sort, query::CompileOrderBy(q.sort, q.descending));
    order = sort.sql + ", r.number DESC";
    AddBinds(sort, binds);
  }
  return "SELECT r.rowid, r.id, r.number, r.name, r.status, r.user, r.parent, r.started_ts, r.ended_ts,"
         " r.duration_s, r.exit_code, r.archived FROM runs r WHERE " +
         filter + " ORDER BY " + order + " LIMIT " + std::to_string(q.limit < 0 ? -1 : q.limit) + " OFFSET " +
         std::to_string(std::max<int64_t>(0, q.offset));
}

std::optional<int64_t> OptInt(const Statement& st, int col) {
  return st.IsNull(col) ? std::nullopt : std::optional<int64_t>(st.Int(col));
}

// Calls `row(position, statement)` for each row of `table_sql` (its first column the run's
// rowid) whose run is listed: one pass over the whole table, or one lookup per listed run.
Status ForEachValue(Database& db, const std::string& columns, const std::string& table,
                    const std::vector<int64_t>& position_of, const std::vector<int64_t>& rowids, bool whole,
                    const std::function<void(size_t, const Statement&)>& row) {
  if (whole) {
    TRAIL_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT run, " + columns + " FROM " + table));
    for (;;) {
      TRAIL_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      const int64_t run = st.Int(0);
      if (run < 0 || run >= static_cast<int64_t>(position_of.size())) continue;
      const int64_t position = position_of[static_cast<size_t>(run)];
      if (position >= 0) row(static_cast<size_t>(position), st);
    }
    return Status::Ok();
  }
  TRAIL_ASSIGN_OR_RETURN(Statement st, db.Prepare("SELECT run, " + columns + " FROM " + table + " WHERE run = ?"));
  for (size_t position = 0; position < rowids.size(); ++position) {
    st.BindInt(1, rowids[position]);
    for (;;) {
      TRAIL_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      row(position, st);
    }
    st.Reset();
  }
  return Status::Ok();
}

}  // namespace

Status ScanRuns(const std::string& path, const ListQuery& q, RunScanSink& sink) {
  std::vector<SqlValue> binds;
  TRAIL_ASSIGN_OR_RETURN(std::string listing, ListingSql(q, &binds));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(path));
  // Mapped pages cost no read() each (the index's own connection maps it too); then one
  // snapshot for every table.
  TRAIL_RETURN_IF_ERROR(db->Exec("PRAGMA mmap_size=" + std::to_string(kMapBytes) + "; BEGIN"));
  Status result = [&]() -> Status {
    TRAIL_ASSIGN_OR_RETURN(Statement total, db->Prepare("SELECT count(*), coalesce(max(rowid), -1) FROM runs"));
    TRAIL_ASSIGN_OR_RETURN(bool any, total.Step());
    const int64_t runs = any ? total.Int(0) : 0;
    const int64_t max_rowid = any ? total.Int(1) : -1;

    std::vector<int64_t> rowids;
    TRAIL_ASSIGN_OR_RETURN(Statement st, db->Prepare(listing));
    for (size_t i = 0; i < binds.size(); ++i) st.Bind(static_cast<int>(i + 1), binds[i]);
    ScannedRun run;
    for (;;) {
      TRAIL_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      rowids.push_back(st.Int(0));
      run.id = st.Text(1);
      run.number = st.Int(2);
      run.name = st.Text(3);
      run.status = st.Text(4);
      run.user = st.Text(5);
      run.parent = st.Text(6);
      run.started_ts = st.OptDouble(7);
      run.ended_ts = st.OptDouble(8);
      run.duration_s = st.OptDouble(9);
      run.exit_code = OptInt(st, 10);
      run.archived = st.Int(11) != 0;
      sink.Run(run);
    }
    if (rowids.empty()) return Status::Ok();

    // Rowids are dense (runs are numbered as they are indexed), so a position per rowid is cheap.
    const bool whole = static_cast<int64_t>(rowids.size()) * kWholeTableShare >= runs &&
                       max_rowid <= std::max<int64_t>(1 << 20, 4 * runs);
    std::vector<int64_t> position_of;
    if (whole) {
      position_of.assign(static_cast<size_t>(max_rowid + 1), -1);
      for (size_t i = 0; i < rowids.size(); ++i) {
        if (rowids[i] >= 0 && rowids[i] <= max_rowid)
          position_of[static_cast<size_t>(rowids[i])] = static_cast<int64_t>(i);
      }
    }
    TRAIL_RETURN_IF_ERROR(ForEachValue(
        *db, "key, text", "params", position_of, rowids, whole,
        [&](size_t position, const Statement& s) { sink.Param(position, s.Text(1), record::TypedValue(s.Text(2))); }));
    TRAIL_RETURN_IF_ERROR(ForEachValue(*db, "key, last, min, max, count", "metrics", position_of, rowids, whole,
                                       [&](size_t position, const Statement& s) {
                                         ScannedMetric m;
                                         m.last = s.OptDouble(2);
                                         m.min = s.OptDouble(3);
                                         m.max = s.OptDouble(4);
                                         m.count = OptInt(s, 5);
                                         sink.Metric(position, s.Text(1), m);
                                       }));
    TRAIL_RETURN_IF_ERROR(
        ForEachValue(*db, "key, value", "tags", position_of, rowids, whole,
                     [&](size_t position, const Statement& s) { sink.Tag(position, s.Text(1), s.Text(2)); }));
    return ForEachValue(
        *db, "key, text", "fields", position_of, rowids, whole,
        [&](size_t position, const Statement& s) { sink.Field(position, s.Text(1), record::TypedValue(s.Text(2))); });
  }();
  Status end = db->Exec("COMMIT");
  return result.ok() ? end : result;
}

}  // namespace trail::index
