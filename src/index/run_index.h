// The SQLite index under .trail/index.sqlite: a cache of the runs branch.
//
// Git is the source of truth. The index remembers which commit of the runs
// branch it reflects; Sync() brings it up to date by diffing that commit
// against the branch tip (cheap, even with 100,000 runs, because unchanged
// shard trees are skipped) or rebuilds it from scratch when history was
// rewritten. A corrupt or deleted index file is simply rebuilt: nothing is lost.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/files.h"
#include "base/yaml.h"
#include "git/repo.h"
#include "index/sqlite.h"
#include "trail/progress.h"
#include "trail/status.h"

namespace trail::query {
struct Column;
struct ColumnSpec;
}  // namespace trail::query

namespace trail::index {

struct ListQuery {
  std::string where;        // MLflow-style expression; empty = all
  std::string sort;         // sort key; empty = newest first
  bool descending = false;  // for an explicit sort key
  int64_t limit = -1;
  int64_t offset = 0;  // rows of the ordered result skipped first
  bool include_archived = false;
  // Index entries a filtered keyed sort walks (at least; 4 x (offset + limit) if more) before it
  // sorts every match instead: tests lower it to reach both ways.
  int64_t walk_budget = 2000;
  // Evaluate the query over in-memory columns when it allows (query/column_filter.h); tests turn
  // it off to compare with the SQL, which must give the same rows.
  bool use_columns = true;
  // A page (offset + limit up to kIndexWalkRows) in a process whose columns are not loaded (a
  // CLI command) first walks an index in SQL, which reads about as many runs as the page needs;
  // loading columns reads every run once per field (about 50 ms each at 1,000,000 runs), which
  // pays off when they are kept (`trail ui`) or when the walk cannot fill the page within its
  // budget. Tests turn it off to reach the columns with pages.
  bool walk_first = true;
};

inline constexpr int64_t kIndexWalkRows = 1000;

// What `trail ls` shows of a run: the indexed columns, not the whole record.
struct RunRow {
  std::string id;
  int64_t number = 0;
  std::string name, status, user, started, parent, path;
  double started_ts = 0;
  std::optional<double> duration_s;
  std::optional<int64_t> exit_code;
  bool archived = false;
  Json params = Json::object();   // key -> typed value
  Json metrics = Json::object();  // key -> {last,min,max,count,...}
  Json tags = Json::object();
  Json derived = Json::object();  // the `fields` rows "derived.<name>", without the prefix
  Json context = Json::object();  // the `fields` rows "context.<name>", without the prefix
  Json model = Json::object();    // the `fields` rows "model.<name>": the primary model's summary
};

// How many indexed runs use each key (ListKeys), per table.
struct KeyCount {
  std::string key;
  int64_t runs = 0;
};
struct KeyCounts {
  std::vector<KeyCount> params, metrics, tags, derived, context, model;
};

class RunIndex {
 public:
  // Opens (creating if needed) the index at `path`. A file that is not a
  // usable SQLite database is removed and recreated.
  // Openers of one path take turns (a lock file beside it, `PATH.lock`), so
  // many processes opening or recreating a missing index never fail.
  static StatusOr<std::unique_ptr<RunIndex>> Open(const std::string& path);
  // Deletes the index at `path` and opens a new, empty one.
  static StatusOr<std::unique_ptr<RunIndex>> Recreate(const std::string& path);
  // How much of an index file later opens in this process map into memory (default 1 GiB).
  static void SetMemoryMapLimit(int64_t bytes);

  // Brings the index up to date with `ref` (e.g. "refs/heads/trail").
  // Records that fail to parse are skipped and remembered as problems.
  // `progress` (may be null): a full rebuild is one phase, "Indexing runs", one unit a run.
  Status Sync(const git::Repo& repo, const std::string& ref, ProgressSink* progress = nullptr);

  // Checks that the index holds exactly what the branch tip it claims to
  // reflect holds (it is rebuilt in memory and compared): Corrupt("index:
  // ...") naming the first difference otherwise. Call after Sync(). Costs a
  // full rebuild: for `trail index`, not for every command.
  Status CheckAgainst(const git::Repo& repo, const std::string& ref);

  // Calls `fn` for each matching run, in order, without holding them all in
  // memory (a full listing of 100,000 runs streams). Runs in one read
  // transaction, so every row comes from the same state of the index.
  Status ForEach(const ListQuery& q, const std::function<Status(const RunRow&)>& fn);
  StatusOr<std::vector<RunRow>> List(const ListQuery& q);
  // How many runs `where` selects (archived ones only with `include_archived`).
  StatusOr<int64_t> CountMatching(const std::string& where, bool include_archived, bool use_columns = true);
  // Every params/metrics/tags/derived/context key, sorted, with how many runs (archived ones
  // included) have it: one GROUP BY over each table's (key, ...) index.
  StatusOr<KeyCounts> ListKeys();
  // Branch path of a run's record, found by id or uid; NotFound otherwise.
  StatusOr<std::string> PathOf(const std::string& id_or_uid);
  // Records on the branch that could not be read ("path: reason").
  StatusOr<std::vector<std::string>> Problems();
  int64_t Count();
  // How many listings and counts were answered from columns rather than SQL (for tests).
  int64_t queries_by_columns() const { return queries_by_columns_; }
  // How many columns were read back from the files an earlier process kept (for tests).
  int64_t columns_from_disk() const { return columns_from_disk_; }
  // At most this many bytes of earlier index states' columns are kept on disk to catch up from
  // (1 GiB: about 110 fields at 1,000,000 runs); tests lower it.
  void set_kept_column_bytes(uint64_t bytes) { kept_bytes_ = bytes; }
  // How many of those were an earlier index state's, brought up to date (for tests).
  int64_t columns_caught_up() const { return columns_caught_up_; }

 private:
  static StatusOr<FileLock> LockForOpening(const std::string& path);
  static StatusOr<std::unique_ptr<RunIndex>> OpenLocked(const std::string& path);
  RunIndex(std::unique_ptr<Database> db, std::string path);
  Status CreateSchema();
  Status Upsert(const std::string& path, const Json& record);
  Status Remove(const std::string& path);
  Status AddProblem(const std::string& path, const std::string& message);
  // Notes that `rowid` changed in the sync numbered journal_seq_ (none outside a sync's
  // incremental changes), for the kept columns to catch up (column_scan.cc).
  Status Journal(int64_t rowid);
  // Forgets the journal: no column kept before sequence `seq` can catch up.
  Status StartLineage(int64_t seq);
  static constexpr int64_t kJournalChanges = 64;
  Status IndexBlob(const git::Repo& repo, const std::string& path, const std::string& oid);
  Status UpsertFields(int64_t rowid, const Json& record);
  // The runs columns StreamRows reads, in its order.
  static constexpr const char* kRunColumns =
      "r.rowid, r.id, r.number, r.name, r.status, r.user, r.started, r.started_ts, r.duration_s, r.exit_code,"
      " r.parent, r.archived, r.path";
  // Streams the rows of one SELECT of the runs columns (kRunColumns) to `fn`; counts them.
  Status StreamRows(const std::string& sql, const std::vector<SqlValue>& binds,
                    const std::function<Status(const RunRow&)>& fn, int64_t* rows);
  Status FullRebuildLocked(const git::Repo& repo, const std::string& tip, ProgressSink* progress);
  StatusOr<std::string> Meta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);

  // The query over cached columns (column_scan.cc): false when the query needs the SQL.
  StatusOr<bool> ForEachByColumns(const ListQuery& q, const std::function<Status(const RunRow&)>& fn);
  // True when the columns loaded in this process are up to date (nothing changed the index since).
  StatusOr<bool> ColumnsWarm();
  // Columns kept on disk between processes, for one index generation (column_scan.cc).
  std::string KeptColumnsDir() const;
  std::shared_ptr<const query::Column> ReadKeptColumn(const query::ColumnSpec& spec);
  // A column kept for an earlier state of the index (same lineage, within the journal), with
  // the rows changed since read again; null when there is none.
  StatusOr<std::shared_ptr<const query::Column>> CatchUpKeptColumn(const query::ColumnSpec& spec);
  // True when every column `q` needs is kept on disk for the index as it is now.
  StatusOr<bool> ColumnsKept(const ListQuery& q);
  void KeepColumn(const query::ColumnSpec& spec, const query::Column& col);
  StatusOr<std::optional<int64_t>> CountByColumns(const std::string& where, bool include_archived);
  struct ColumnCache;
  struct ColumnMatches;
  StatusOr<std::optional<ColumnMatches>> MatchByColumns(const std::string& where, bool include_archived,
                                                        const std::string& sort, bool descending);

  // Prepared once per index object: a rebuild runs these 100,000s of times.
  StatusOr<Statement*> Cached(const std::string& sql);

  std::unique_ptr<Database> db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  bool rebuilding_ = false;  // tables were just emptied: no need to delete before insert
  int64_t journal_seq_ = 0;  // during a sync's incremental changes: its sequence number
  // Columns loaded for column evaluation, valid while the index does not change.
  std::unique_ptr<ColumnCache> columns_;
  int64_t queries_by_columns_ = 0;
  int64_t columns_from_disk_ = 0;
  int64_t columns_caught_up_ = 0;
  uint64_t kept_bytes_ = uint64_t{1} << 30;

 public:
  ~RunIndex();
};

}  // namespace trail::index
