#include "index/run_index.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "base/clock.h"
#include "base/files.h"
#include "base/numbers.h"
#include "base/random_id.h"
#include "query/query.h"
#include "record/models.h"
#include "record/record.h"

namespace trail::index {
namespace {

// 3: model.* fields. 4: the keyed tables clustered by (key, run), so one field of every run (a
// column, query/column_filter.h) is one contiguous range, not a lookup per run.
constexpr const char* kSchemaVersion = "4";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS runs(
  rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, number INTEGER, uid TEXT, name TEXT, status TEXT, user TEXT,
  started TEXT, started_ts REAL, ended TEXT, ended_ts REAL, duration_s REAL, exit_code INTEGER,
  command TEXT, host TEXT, parent TEXT, archived INTEGER, branch TEXT, code_commit TEXT, path TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS runs_path ON runs(path);
CREATE INDEX IF NOT EXISTS runs_id ON runs(id);
CREATE INDEX IF NOT EXISTS runs_uid ON runs(uid);
CREATE INDEX IF NOT EXISTS runs_started ON runs(started_ts);
CREATE INDEX IF NOT EXISTS runs_number ON runs(number);
CREATE TABLE IF NOT EXISTS params(run INTEGER, key TEXT, text TEXT, num REAL, PRIMARY KEY(key, run)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tags(run INTEGER, key TEXT, value TEXT, PRIMARY KEY(key, run)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metrics(run INTEGER, key TEXT, last REAL, min REAL, max REAL, count INTEGER,
  min_step INTEGER, max_step INTEGER, last_step INTEGER, PRIMARY KEY(key, run)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fields(run INTEGER, key TEXT, text TEXT, num REAL, PRIMARY KEY(key, run)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS problems(path TEXT PRIMARY KEY, message TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes(seq INTEGER, run INTEGER, PRIMARY KEY(seq, run)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_archived ON runs(archived);
CREATE INDEX IF NOT EXISTS params_run ON params(run);
CREATE INDEX IF NOT EXISTS tags_run ON tags(run);
CREATE INDEX IF NOT EXISTS metrics_run ON metrics(run);
CREATE INDEX IF NOT EXISTS fields_run ON fields(run);
CREATE INDEX IF NOT EXISTS metrics_last ON metrics(key, last);
CREATE INDEX IF NOT EXISTS params_value ON params(key, coalesce(num, text));
CREATE INDEX IF NOT EXISTS tags_value ON tags(key, value);
CREATE INDEX IF NOT EXISTS fields_value ON fields(key, coalesce(num, text));
)sql";

// The runs columns every listing reads, in StreamRows' order.
// The tables that hold a run's keyed values (rows keyed by `run`).
constexpr const char* kKeyedTables[] = {"params", "tags", "metrics", "fields"};

std::optional<double> NumberOf(const Json& v) {
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

std::string CommandText(const Json& cmd) {
  if (cmd.is_string()) return cmd.get<std::string>();
  std::string out;
  if (cmd.is_array()) {
    for (const auto& a : cmd) {
      if (!out.empty()) out += ' ';
      out += record::ScalarText(a);
    }
  }
  return out;
}

}  // namespace

StatusOr<std::unique_ptr<RunIndex>> RunIndex::Open(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(FileLock opening, LockForOpening(path));
  return OpenLocked(path);
}

StatusOr<std::unique_ptr<RunIndex>> RunIndex::Recreate(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(FileLock opening, LockForOpening(path));
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
  return OpenLocked(path);
}

StatusOr<FileLock> RunIndex::LockForOpening(const std::string& path) {
  // Creating the file, switching it to WAL and creating the tables need
  // SQLite's exclusive lock. Two connections that both hold a shared lock
  // and want it deadlock, and SQLite answers that with "database is locked"
  // at once, busy timeout or not: so openers take turns. Once the index
  // exists in WAL mode, readers and the one writer share it freely.
  return FileLock::Acquire(path + ".lock");
}

StatusOr<std::unique_ptr<RunIndex>> RunIndex::OpenLocked(const std::string& path) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto db = Database::Open(path);
    if (db.ok()) {
      std::unique_ptr<RunIndex> index(new RunIndex(std::move(*db), path));
      Status s = index->CreateSchema();
      if (s.ok()) return index;
      if (s.code() != Code::kCorrupt) return s;
    }
    // Not a database we can use: it is only a cache, so start over.
    ::unlink(path.c_str());
    ::unlink((path + "-wal").c_str());
    ::unlink((path + "-shm").c_str());
  }
  return IoError("cannot create the index at " + path);
}

namespace {
std::atomic<int64_t> mmap_limit{int64_t{1} << 30};
}  // namespace

void RunIndex::SetMemoryMapLimit(int64_t bytes) { mmap_limit = std::max<int64_t>(0, bytes); }

Status RunIndex::CreateSchema() {
  // mmap: a page of a large listing reads rows at random across the file; mapped pages cost no
  // read() call each. For a short command the bound is address space, not memory; a long-lived
  // server lowers it (SetMemoryMapLimit), since every page it ever touched stays in its RSS.
  TRAIL_RETURN_IF_ERROR(db_->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA mmap_size=" +
                                  std::to_string(mmap_limit.load()) + ";"));
  TRAIL_RETURN_IF_ERROR(db_->Exec("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"));
  TRAIL_ASSIGN_OR_RETURN(std::string version, Meta("schema"));
  if (!version.empty() && version != kSchemaVersion) {
    // An index written by another trail version: drop everything; the next Sync rebuilds it.
    TRAIL_RETURN_IF_ERROR(
        db_->Exec("DROP TABLE IF EXISTS runs; DROP TABLE IF EXISTS params; DROP TABLE IF EXISTS tags;"
                  " DROP TABLE IF EXISTS metrics; DROP TABLE IF EXISTS fields; DROP TABLE IF EXISTS problems;"
                  " DELETE FROM meta;"));
  }
  TRAIL_RETURN_IF_ERROR(db_->Exec(kSchema));
  if (version != kSchemaVersion) return SetMeta("schema", kSchemaVersion);
  return Status::Ok();
}

StatusOr<Statement*> RunIndex::Cached(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  TRAIL_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
  auto owned = std::make_unique<Statement>(std::move(st));
  Statement* raw = owned.get();
  statements_.emplace(sql, std::move(owned));
  return raw;
}

StatusOr<std::string> RunIndex::Meta(const std::string& key) {
  TRAIL_ASSIGN_OR_RETURN(Statement * st, Cached("SELECT value FROM meta WHERE key = ?"));
  st->BindText(1, key);
  TRAIL_ASSIGN_OR_RETURN(bool row, st->Step());
  std::string value = row ? st->Text(0) : std::string();
  // An unfinished SELECT keeps a read snapshot open, and a later BEGIN
  // IMMEDIATE on this connection would then fail at once instead of waiting.
  st->Reset();
  return value;
}

Status RunIndex::SetMeta(const std::string& key, const std::string& value) {
  TRAIL_ASSIGN_OR_RETURN(Statement * st, Cached("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)"));
  st->BindText(1, key);
  st->BindText(2, value);
  return st->Run();
}

Status RunIndex::Remove(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(Statement * find, Cached("SELECT rowid FROM runs WHERE path = ?"));
  find->BindText(1, path);
  TRAIL_ASSIGN_OR_RETURN(bool row, find->Step());
  int64_t rowid = row ? find->Int(0) : 0;
  find->Reset();
  if (row) {
    TRAIL_RETURN_IF_ERROR(Journal(rowid));
    for (const char* table : kKeyedTables) {
      TRAIL_ASSIGN_OR_RETURN(Statement * del, Cached(std::string("DELETE FROM ") + table + " WHERE run = ?"));
      del->BindInt(1, rowid);
      TRAIL_RETURN_IF_ERROR(del->Run());
    }
    TRAIL_ASSIGN_OR_RETURN(Statement * del, Cached("DELETE FROM runs WHERE rowid = ?"));
    del->BindInt(1, rowid);
    TRAIL_RETURN_IF_ERROR(del->Run());
  }
  TRAIL_ASSIGN_OR_RETURN(Statement * prob, Cached("DELETE FROM problems WHERE path = ?"));
  prob->BindText(1, path);
  return prob->Run();
}

Status RunIndex::Journal(int64_t rowid) {
  if (journal_seq_ == 0) return Status::Ok();
  TRAIL_ASSIGN_OR_RETURN(Statement * st, Cached("INSERT OR IGNORE INTO changes(seq, run) VALUES(?, ?)"));
  st->BindInt(1, journal_seq_);
  st->BindInt(2, rowid);
  return st->Run();
}

Status RunIndex::StartLineage(int64_t seq) {
  TRAIL_RETURN_IF_ERROR(db_->Exec("DELETE FROM changes"));
  TRAIL_RETURN_IF_ERROR(SetMeta("lineage", RandomUid()));
  return SetMeta("journal_from", std::to_string(seq));
}

Status RunIndex::AddProblem(const std::string& path, const std::string& message) {
  TRAIL_ASSIGN_OR_RETURN(Statement * st, Cached("INSERT OR REPLACE INTO problems(path, message) VALUES(?, ?)"));
  st->BindText(1, path);
  st->BindText(2, message);
  return st->Run();
}

Status RunIndex::Upsert(const std::string& path, const Json& r) {
  if (!rebuilding_) TRAIL_RETURN_IF_ERROR(Remove(path));
  TRAIL_ASSIGN_OR_RETURN(
      Statement * st,
      Cached("INSERT INTO runs(id, number, uid, name, status, user, started, started_ts, ended, ended_ts, duration_s,"
             " exit_code, command, host, parent, archived, branch, code_commit, path)"
             " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  auto text_or_null = [&](int i, const std::string& s) { s.empty() ? st->BindNull(i) : st->BindText(i, s); };
  auto num_or_null = [&](int i, const Json& v) {
    if (v.is_number_integer())
      st->BindInt(i, v.get<int64_t>());
    else if (v.is_number())
      st->BindDouble(i, v.get<double>());
    else
      st->BindNull(i);
  };
  st->BindText(1, record::GetString(r, "id"));
  st->BindInt(2, r.value("number", int64_t{0}));
  text_or_null(3, record::GetString(r, "uid"));
  text_or_null(4, record::GetString(r, "name"));
  text_or_null(5, record::GetString(r, "status"));
  std::string user;
  if (r.contains("user") && r["user"].is_object())
    user = record::GetString(r["user"], "name");
  else
    user = record::GetString(r, "user");
  text_or_null(6, user);
  std::string started = record::GetString(r, "started");
  std::string ended = record::GetString(r, "ended");
  text_or_null(7, started);
  if (auto t = ParseIsoTime(started))
    st->BindDouble(8, *t);
  else
    st->BindNull(8);
  text_or_null(9, ended);
  if (auto t = ParseIsoTime(ended))
    st->BindDouble(10, *t);
  else
    st->BindNull(10);
  num_or_null(11, r.value("duration_s", Json()));
  num_or_null(12, r.value("exit_code", Json()));
  text_or_null(13, CommandText(r.value("command", Json())));
  text_or_null(14, record::GetString(r, "host"));
  text_or_null(15, record::GetString(r, "parent"));
  st->BindInt(16, r.value("archived", false) ? 1 : 0);
  Json code = r.value("code", Json::object());
  text_or_null(17, code.is_object() ? record::GetString(code, "branch") : "");
  text_or_null(18, code.is_object() ? record::GetString(code, "commit") : "");
  st->BindText(19, path);
  TRAIL_RETURN_IF_ERROR(st->Run());
  int64_t rowid = sqlite3_last_insert_rowid(db_->raw());
  TRAIL_RETURN_IF_ERROR(Journal(rowid));

  if (auto it = r.find("params"); it != r.end() && it->is_object()) {
    TRAIL_ASSIGN_OR_RETURN(Statement * p, Cached("INSERT OR REPLACE INTO params(run, key, text, num) VALUES(?,?,?,?)"));
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      p->BindInt(1, rowid);
      p->BindText(2, kv.key());
      p->BindText(3, record::ScalarText(kv.value()));
      if (auto n = NumberOf(kv.value()))
        p->BindDouble(4, *n);
      else
        p->BindNull(4);
      TRAIL_RETURN_IF_ERROR(p->Run());
    }
  }
  if (auto it = r.find("tags"); it != r.end() && it->is_object()) {
    TRAIL_ASSIGN_OR_RETURN(Statement * t, Cached("INSERT OR REPLACE INTO tags(run, key, value) VALUES(?,?,?)"));
    for (auto kv = it->begin(); kv != it->end(); ++kv) {
      t->BindInt(1, rowid);
      t->BindText(2, kv.key());
      t->BindText(3, record::ScalarText(kv.value()));
      TRAIL_RETURN_IF_ERROR(t->Run());
    }
  }
  const Json* summary = nullptr;
  if (auto m = r.find("metrics"); m != r.end() && m->is_object()) {
    if (auto s = m->find("summary"); s != m->end() && s->is_object()) summary = &*s;
  }
  if (summary) {
    TRAIL_ASSIGN_OR_RETURN(
        Statement * m,
        Cached("INSERT OR REPLACE INTO metrics(run, key, last, min, max, count, min_step, max_step, last_step)"
               " VALUES(?,?,?,?,?,?,?,?,?)"));
    for (auto kv = summary->begin(); kv != summary->end(); ++kv) {
      const Json& s = kv.value();
      if (!s.is_object()) continue;
      m->BindInt(1, rowid);
      m->BindText(2, kv.key());
      int i = 3;
      for (const char* f : {"last", "min", "max", "count", "min_step", "max_step", "last_step"}) {
        auto v = s.find(f);
        if (v != s.end() && v->is_number_integer())
          m->BindInt(i, v->get<int64_t>());
        else if (v != s.end() && v->is_number())
          m->BindDouble(i, v->get<double>());
        else
          m->BindNull(i);
        ++i;
      }
      TRAIL_RETURN_IF_ERROR(m->Run());
    }
  }
  return UpsertFields(rowid, r);
}

Status RunIndex::UpsertFields(int64_t rowid, const Json& r) {
  // Later values of a key replace earlier ones: a config `context:` field wins over the
  // environment fact of the same name, as it is the user's choice.
  std::vector<std::pair<std::string, const Json*>> values;
  Json env = r.value("environment", Json::object());
  Json facts = Json::object();
  if (env.is_object()) {
    Json python = env.value("python", Json());
    if (python.is_object() && python.contains("version")) facts["python"] = python["version"];
    if (env.contains("os")) facts["os"] = env["os"];
    Json processors = env.value("processors", Json());
    if (processors.is_object()) {
      if (processors.contains("gpu_count")) facts["gpu_count"] = processors["gpu_count"];
      Json gpus = processors.value("gpus", Json());
      if (gpus.is_array() && !gpus.empty() && gpus[0].is_object() && gpus[0].contains("model"))
        facts["gpus"] = gpus[0]["model"];
    }
  }
  if (r.contains("host")) facts["host"] = r["host"];
  Json code = r.value("code", Json());
  if (code.is_object()) {
    if (code.contains("branch")) facts["code.branch"] = code["branch"];
    if (code.contains("dirty")) facts["code.dirty"] = code["dirty"];
  }
  for (auto kv = facts.begin(); kv != facts.end(); ++kv) values.emplace_back("context." + kv.key(), &kv.value());
  if (auto c = r.find("context"); c != r.end() && c->is_object()) {
    for (auto kv = c->begin(); kv != c->end(); ++kv) values.emplace_back("context." + kv.key(), &kv.value());
  }
  if (auto m = r.find("metrics"); m != r.end() && m->is_object()) {
    if (auto d = m->find("derived"); d != m->end() && d->is_object()) {
      for (auto kv = d->begin(); kv != d->end(); ++kv) {
        if (kv.value().is_number()) values.emplace_back("derived." + kv.key(), &kv.value());
      }
    }
  }
  // The primary model's summary (docs/models.md, "Query fields"): model.parameters, ...
  Json model_fields = Json::object();
  if (const Json* primary = record::PrimaryModelArtifact(r)) {
    const Json& m = (*primary)["model"];
    for (const char* key :
         {"format", "framework", "framework_version", "parameters", "tensors", "tensor_bytes", "layers"}) {
      if (m.contains(key)) model_fields[key] = m[key];
    }
    model_fields["artifact"] = primary->value("path", Json());
  }
  for (auto kv = model_fields.begin(); kv != model_fields.end(); ++kv)
    values.emplace_back("model." + kv.key(), &kv.value());
  if (values.empty()) return Status::Ok();
  TRAIL_ASSIGN_OR_RETURN(Statement * f, Cached("INSERT OR REPLACE INTO fields(run, key, text, num) VALUES(?,?,?,?)"));
  for (const auto& [key, value] : values) {
    // Scalars only: a context field that could not be read is a map ({error: ...}).
    if (value->is_object() || value->is_array() || value->is_null()) continue;
    f->BindInt(1, rowid);
    f->BindText(2, key);
    f->BindText(3, record::ScalarText(*value));
    if (auto n = NumberOf(*value))
      f->BindDouble(4, *n);
    else
      f->BindNull(4);
    TRAIL_RETURN_IF_ERROR(f->Run());
  }
  return Status::Ok();
}

Status RunIndex::IndexBlob(const git::Repo& repo, const std::string& path, const std::string& oid) {
  auto text = repo.ReadBlob(oid);
  if (!text.ok()) return AddProblem(path, text.status().message());
  auto rec = record::Parse(*text, path);
  if (!rec.ok()) {
    if (!rebuilding_) TRAIL_RETURN_IF_ERROR(Remove(path));
    return AddProblem(path, rec.status().message());
  }
  return Upsert(path, *rec);
}

Status RunIndex::FullRebuildLocked(const git::Repo& repo, const std::string& tip, ProgressSink* progress) {
  TRAIL_RETURN_IF_ERROR(
      db_->Exec("DELETE FROM runs; DELETE FROM params; DELETE FROM tags; DELETE FROM metrics;"
                " DELETE FROM fields; DELETE FROM problems;"));
  if (tip.empty()) return SetMeta("tip", tip);
  // Every secondary index is built once at the end, from sorted rows, which costs less than
  // keeping it up to date through 1,000,000s of inserts (runs_uid's keys are random: each insert
  // would touch a page of its own); the same transaction makes them again. A rebuild inserts
  // each path once (it comes from one tree), so nothing needs runs_path while it runs.
  TRAIL_RETURN_IF_ERROR(
      db_->Exec("DROP INDEX IF EXISTS metrics_last; DROP INDEX IF EXISTS params_value; DROP INDEX IF EXISTS tags_value;"
                " DROP INDEX IF EXISTS fields_value; DROP INDEX IF EXISTS runs_path; DROP INDEX IF EXISTS runs_id;"
                " DROP INDEX IF EXISTS runs_uid; DROP INDEX IF EXISTS runs_started; DROP INDEX IF EXISTS runs_number;"
                " DROP INDEX IF EXISTS runs_archived; DROP INDEX IF EXISTS params_run; DROP INDEX IF EXISTS tags_run;"
                " DROP INDEX IF EXISTS metrics_run; DROP INDEX IF EXISTS fields_run;"));
  // For the progress line: one run folder per entry of each shard, counted without reading the
  // run folders themselves.
  uint64_t expected = 0;
  if (progress != nullptr) {
    auto shards = repo.ListDir(tip, record::kRunsDir);
    if (shards.ok()) {
      for (const git::TreeEntry& shard : *shards) {
        if (!shard.is_tree) continue;
        auto runs = repo.ListDir(tip, std::string(record::kRunsDir) + "/" + shard.name);
        if (runs.ok()) expected += runs->size();
      }
    }
  }
  ProgressPhase phase(progress, "Indexing runs", "runs", expected, 0);
  // Reading and parsing YAML is most of a rebuild's cost: spread it over the cores in batches
  // (each worker with its own repository handle, as libgit2 wants), and insert each batch in
  // order on this thread. The records are streamed from the tree walk a batch at a time, so
  // memory stays flat however many runs the branch holds.
  unsigned workers = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  std::vector<std::unique_ptr<git::Repo>> repos;
  constexpr size_t kBatch = 4096;
  std::vector<std::pair<std::string, std::string>> batch;  // path, blob oid
  batch.reserve(kBatch);
  std::vector<StatusOr<Json>> parsed;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    // Helper handles only once a batch is worth them (not for a handful of runs).
    if (batch.size() == kBatch && repos.empty()) {
      for (unsigned w = 1; w < workers; ++w) {
        auto r = git::Repo::Discover(repo.workdir());
        if (!r.ok()) break;
        repos.push_back(std::move(*r));
      }
    }
    const unsigned threads_used = static_cast<unsigned>(repos.size()) + 1;
    parsed.assign(batch.size(), StatusOr<Json>(Internal("not read")));
    auto parse_range = [&](const git::Repo& r, size_t first, size_t step) {
      for (size_t i = first; i < batch.size(); i += step) {
        const auto& [path, oid] = batch[i];
        auto text = r.ReadBlob(oid);
        parsed[i] = text.ok() ? record::Parse(*text, path) : StatusOr<Json>(text.status());
      }
    };
    std::vector<std::thread> threads;
    for (unsigned w = 1; w < threads_used; ++w)
      threads.emplace_back(parse_range, std::cref(*repos[w - 1]), w, threads_used);
    parse_range(repo, 0, threads_used);
    for (auto& t : threads) t.join();
    for (size_t i = 0; i < parsed.size(); ++i) {
      const std::string& path = batch[i].first;
      TRAIL_RETURN_IF_ERROR(parsed[i].ok() ? Upsert(path, *parsed[i]) : AddProblem(path, parsed[i].status().message()));
      ReportProgress(progress, 1, 0);
    }
    batch.clear();
    return Status::Ok();
  };
  rebuilding_ = true;
  Status result = repo.ForEachFile(tip, record::kRunsDir, record::kRecordFile,
                                   [&](const std::string& path, const std::string& oid) {
                                     batch.emplace_back(path, oid);
                                     return batch.size() == kBatch ? flush() : Status::Ok();
                                   });
  if (result.ok()) result = flush();
  rebuilding_ = false;
  TRAIL_RETURN_IF_ERROR(result);
  TRAIL_RETURN_IF_ERROR(db_->Exec(kSchema));
  return SetMeta("tip", tip);
}

Status RunIndex::Sync(const git::Repo& repo, const std::string& ref, ProgressSink* progress) {
  TRAIL_ASSIGN_OR_RETURN(auto resolved, repo.ResolveRef(ref));
  std::string tip = resolved.value_or("");
  TRAIL_ASSIGN_OR_RETURN(std::string known, Meta("tip"));
  TRAIL_ASSIGN_OR_RETURN(std::string known_ref, Meta("ref"));
  TRAIL_ASSIGN_OR_RETURN(std::string generation, Meta("generation"));
  if (known == tip && known_ref == ref && !generation.empty()) return Status::Ok();

  // Write transaction first, then look again: a concurrent trail may have
  // brought the index up to date while we waited for the lock.
  TRAIL_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    TRAIL_ASSIGN_OR_RETURN(std::string now_known, Meta("tip"));
    TRAIL_ASSIGN_OR_RETURN(std::string now_ref, Meta("ref"));
    TRAIL_ASSIGN_OR_RETURN(std::string now_generation, Meta("generation"));
    if (now_known == tip && now_ref == ref && !now_generation.empty()) return Status::Ok();
    // A new generation for every change, rebuilds included (which number the runs anew): the
    // columns kept on disk (column_scan.cc) are exact for one generation. Its sequence number
    // and the journal of the rows each incremental change touched let them be brought up to
    // date instead of read again; a rebuild starts a new lineage, which no older column joins.
    TRAIL_ASSIGN_OR_RETURN(std::string last_seq, Meta("seq"));
    const int64_t seq = std::max<int64_t>(0, std::strtoll(last_seq.c_str(), nullptr, 10)) + 1;
    TRAIL_RETURN_IF_ERROR(SetMeta("seq", std::to_string(seq)));
    TRAIL_RETURN_IF_ERROR(SetMeta("generation", RandomUid()));
    TRAIL_ASSIGN_OR_RETURN(std::string lineage, Meta("lineage"));
    if (now_known == tip && now_ref == ref) return lineage.empty() ? StartLineage(seq) : Status::Ok();
    if (now_ref != ref || now_known.empty() || tip.empty() || !repo.IsAncestor(now_known, tip)) {
      TRAIL_RETURN_IF_ERROR(FullRebuildLocked(repo, tip, progress));
      TRAIL_RETURN_IF_ERROR(StartLineage(seq));
    } else {
      if (lineage.empty()) TRAIL_RETURN_IF_ERROR(StartLineage(seq - 1));
      TRAIL_ASSIGN_OR_RETURN(auto changes, repo.DiffFiles(now_known, tip, record::kRunsDir, record::kRecordFile));
      journal_seq_ = seq;
      Status applied = [&]() -> Status {
        for (const auto& c : changes) {
          if (c.new_oid.empty()) {
            TRAIL_RETURN_IF_ERROR(Remove(c.path));
          } else {
            TRAIL_RETURN_IF_ERROR(IndexBlob(repo, c.path, c.new_oid));
          }
        }
        return Status::Ok();
      }();
      journal_seq_ = 0;
      TRAIL_RETURN_IF_ERROR(applied);
      // The journal covers the last kJournalChanges changes; older columns are read anew.
      TRAIL_ASSIGN_OR_RETURN(std::string from, Meta("journal_from"));
      const int64_t floor = seq - kJournalChanges;
      if (std::strtoll(from.c_str(), nullptr, 10) < floor) {
        TRAIL_ASSIGN_OR_RETURN(Statement * prune, Cached("DELETE FROM changes WHERE seq <= ?"));
        prune->BindInt(1, floor);
        TRAIL_RETURN_IF_ERROR(prune->Run());
        TRAIL_RETURN_IF_ERROR(SetMeta("journal_from", std::to_string(floor)));
      }
      TRAIL_RETURN_IF_ERROR(SetMeta("tip", tip));
    }
    return SetMeta("ref", ref);
  }();
  if (!s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  return db_->Exec("COMMIT");
}

namespace {

// The filter every listing applies: archived runs unless asked, then `where`.
StatusOr<std::string> FilterSql(const std::string& where, bool include_archived, std::vector<SqlValue>* binds) {
  std::string sql = "1";
  // Unary +: runs_archived is for the archived column (column_scan.cc); as a filter it would
  // make SQLite read every unarchived run through it and sort them, where walking the order's
  // index stops after a page.
  if (!include_archived) sql += " AND +r.archived = 0";
  if (!where.empty()) {
    TRAIL_ASSIGN_OR_RETURN(query::SqlFragment fragment, query::CompileWhere(where));
    sql += " AND (" + fragment.sql + ")";
    for (const auto& v : fragment.binds) std::visit([&](const auto& x) { binds->push_back(SqlValue(x)); }, v);
  }
  return sql;
}

std::string LimitSql(int64_t limit, int64_t offset) {
  return " LIMIT " + std::to_string(limit < 0 ? -1 : limit) + " OFFSET " + std::to_string(std::max<int64_t>(0, offset));
}

void BindAll(Statement& st, const std::vector<SqlValue>& binds) {
  for (size_t i = 0; i < binds.size(); ++i) st.Bind(static_cast<int>(i + 1), binds[i]);
}

}  // namespace

Status RunIndex::StreamRows(const std::string& sql, const std::vector<SqlValue>& binds,
                            const std::function<Status(const RunRow&)>& fn, int64_t* rows) {
  TRAIL_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
  BindAll(st, binds);
  TRAIL_ASSIGN_OR_RETURN(Statement * params, Cached("SELECT key, text, num FROM params WHERE run = ?"));
  TRAIL_ASSIGN_OR_RETURN(Statement * tags, Cached("SELECT key, value FROM tags WHERE run = ?"));
  TRAIL_ASSIGN_OR_RETURN(
      Statement * metrics,
      Cached("SELECT key, last, min, max, count, min_step, max_step, last_step FROM metrics WHERE run = ?"));
  TRAIL_ASSIGN_OR_RETURN(Statement * fields, Cached("SELECT key, text FROM fields WHERE run = ?"));
  Status result = [&]() -> Status {
    RunRow row;
    for (;;) {
      TRAIL_ASSIGN_OR_RETURN(bool more, st.Step());
      if (!more) break;
      ++*rows;
      int64_t rowid = st.Int(0);
      row = RunRow();
      row.id = st.Text(1);
      row.number = st.Int(2);
      row.name = st.Text(3);
      row.status = st.Text(4);
      row.user = st.Text(5);
      row.started = st.Text(6);
      row.started_ts = st.Double(7);
      row.duration_s = st.OptDouble(8);
      if (!st.IsNull(9)) row.exit_code = st.Int(9);
      row.parent = st.Text(10);
      row.archived = st.Int(11) != 0;
      row.path = st.Text(12);

      params->BindInt(1, rowid);
      for (;;) {
        TRAIL_ASSIGN_OR_RETURN(bool p, params->Step());
        if (!p) break;
        row.params[params->Text(0)] = record::TypedValue(params->Text(1));
      }
      params->Reset();
      tags->BindInt(1, rowid);
      for (;;) {
        TRAIL_ASSIGN_OR_RETURN(bool t, tags->Step());
        if (!t) break;
        row.tags[tags->Text(0)] = tags->Text(1);
      }
      tags->Reset();
      metrics->BindInt(1, rowid);
      static const char* const kNames[] = {"last", "min", "max", "count", "min_step", "max_step", "last_step"};
      for (;;) {
        TRAIL_ASSIGN_OR_RETURN(bool m, metrics->Step());
        if (!m) break;
        Json s = Json::object();
        for (int c = 1; c <= 7; ++c) {
          if (metrics->IsNull(c)) continue;
          if (c >= 4)
            s[kNames[c - 1]] = metrics->Int(c);
          else
            s[kNames[c - 1]] = metrics->Double(c);
        }
        row.metrics[metrics->Text(0)] = std::move(s);
      }
      metrics->Reset();
      fields->BindInt(1, rowid);
      for (;;) {
        TRAIL_ASSIGN_OR_RETURN(bool f, fields->Step());
        if (!f) break;
        std::string key = fields->Text(0);
        Json value = record::TypedValue(fields->Text(1));
        if (key.rfind("derived.", 0) == 0)
          row.derived[key.substr(8)] = std::move(value);
        else if (key.rfind("context.", 0) == 0)
          row.context[key.substr(8)] = std::move(value);
        else if (key.rfind("model.", 0) == 0)
          row.model[key.substr(6)] = std::move(value);
      }
      fields->Reset();
      TRAIL_RETURN_IF_ERROR(fn(row));
    }
    return Status::Ok();
  }();
  st.Reset();
  params->Reset();
  tags->Reset();
  metrics->Reset();
  fields->Reset();
  return result;
}

Status RunIndex::ForEach(const ListQuery& q, const std::function<Status(const RunRow&)>& fn) {
  std::vector<SqlValue> filter_binds;
  TRAIL_ASSIGN_OR_RETURN(std::string filter, FilterSql(q.where, q.include_archived, &filter_binds));
  std::optional<query::SortPlan> plan;
  std::string order;
  std::vector<SqlValue> order_binds;
  if (!q.sort.empty()) {
    TRAIL_ASSIGN_OR_RETURN(plan, query::PlanSort(q.sort, q.descending));
    {  // also a keyed sort's fallback (below)
      TRAIL_ASSIGN_OR_RETURN(query::SqlFragment fragment, query::CompileOrderBy(q.sort, q.descending));
      order = fragment.sql + ", r.number DESC";
      for (const auto& v : fragment.binds) std::visit([&](const auto& x) { order_binds.push_back(SqlValue(x)); }, v);
    }
  } else {
    order = "r.started_ts DESC, r.number DESC";
  }
  const std::string select = std::string("SELECT ") + kRunColumns;
  TRAIL_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  Status result = [&]() -> Status {
    bool columns_tried = !q.use_columns;
    bool walk_first = false;
    if (q.use_columns && q.walk_first && q.limit > 0 && q.offset + q.limit <= kIndexWalkRows) {
      TRAIL_ASSIGN_OR_RETURN(bool warm, ColumnsWarm());
      walk_first = !warm;
      if (walk_first) {  // columns an earlier command kept cost a read of their files, less than a walk
        TRAIL_ASSIGN_OR_RETURN(bool kept, ColumnsKept(q));
        walk_first = !kept;
      }
    }
    if (!columns_tried && !walk_first) {
      columns_tried = true;
      TRAIL_ASSIGN_OR_RETURN(bool done, ForEachByColumns(q, fn));
      if (done) return Status::Ok();
    }
    int64_t rows = 0;
    if (!plan) {
      std::vector<SqlValue> binds = filter_binds;
      binds.insert(binds.end(), order_binds.begin(), order_binds.end());
      return StreamRows(select + " FROM runs r WHERE " + filter + " ORDER BY " + order + LimitSql(q.limit, q.offset),
                        binds, fn, &rows);
    }
    // A keyed sort walks the (key, value) index of its table in order and stops after
    // offset + limit matches, where sorting every run by a correlated subquery would read them
    // all. The runs that have the field come first, then those without it, newest number first:
    // the order CompileOrderBy's "(v) IS NULL, (v) ASC|DESC, r.number DESC" gives. CROSS JOIN
    // makes SQLite loop over the index first.
    const std::string dir = plan->descending ? " DESC" : " ASC";
    const std::string with_key = " FROM " + plan->table +
                                 " s CROSS JOIN runs r ON r.rowid = s.run WHERE s.key = ? AND " + plan->value +
                                 " IS NOT NULL AND " + filter;
    std::vector<SqlValue> binds{SqlValue(plan->key)};
    binds.insert(binds.end(), filter_binds.begin(), filter_binds.end());
    bool walked = false;
    if (!q.where.empty() && q.limit > 0) {
      // A filter that rejects most runs early in sort order (one anti-correlated with the key)
      // would make the walk read nearly every run, at a higher cost per run than one sort of
      // the matches. So the walk gets a budget of index entries; when the page is not full
      // within it, or its last row ties with the entry at the budget's edge (its tie group may
      // go on past it), the page comes from sorting every match instead. Either way the rows
      // are the same.
      const int64_t budget = std::max<int64_t>(q.walk_budget, 4 * (q.offset + q.limit));
      const std::string entries = "SELECT s.run AS run, " + plan->value + " AS v FROM " + plan->table +
                                  " s WHERE s.key = ? AND " + plan->value + " IS NOT NULL ORDER BY " + plan->value +
                                  dir;
      std::vector<RunRow> page;
      int64_t got = 0;
      TRAIL_RETURN_IF_ERROR(StreamRows(
          select + " FROM (" + entries + " LIMIT " + std::to_string(budget) +
              ") s CROSS JOIN runs r ON r.rowid = s.run WHERE " + filter + " ORDER BY s.v" + dir + ", r.number DESC" +
              LimitSql(q.limit, q.offset),
          binds,
          [&](const RunRow& row) {
            page.push_back(row);
            return Status::Ok();
          },
          &got));
      // 1 when the index has more than `budget` entries and the page's last row has the value
      // of the first entry past the budget; 0 when it has another; NULL when there is none.
      TRAIL_ASSIGN_OR_RETURN(
          Statement edge,
          db_->Prepare("SELECT (SELECT v FROM (" + entries + " LIMIT 1 OFFSET " + std::to_string(budget) +
                       ")) IS (SELECT " + plan->value + " FROM " + plan->table +
                       " s JOIN runs r ON r.rowid = s.run WHERE r.path = ? AND s.key = ?)"
                       ", EXISTS (" +
                       entries + " LIMIT 1 OFFSET " + std::to_string(budget) + ")"));
      edge.BindText(1, plan->key);
      edge.BindText(2, page.empty() ? std::string() : page.back().path);
      edge.BindText(3, plan->key);
      edge.BindText(4, plan->key);
      TRAIL_ASSIGN_OR_RETURN(bool edge_row, edge.Step());
      const bool cut = edge_row && edge.Int(1) != 0;
      const bool tie_at_edge = edge_row && edge.Int(0) != 0;
      edge.Reset();
      if (!cut || (got == q.limit && !tie_at_edge)) {
        for (const RunRow& row : page) TRAIL_RETURN_IF_ERROR(fn(row));
        rows = got;
        if (cut) return Status::Ok();
        walked = true;  // the whole index was within the budget: exact, and the runs without it follow
      } else {
        if (!columns_tried) {  // the walk could not fill the page: columns sort every match faster
          columns_tried = true;
          TRAIL_ASSIGN_OR_RETURN(bool done, ForEachByColumns(q, fn));
          if (done) return Status::Ok();
        }
        std::vector<SqlValue> all = filter_binds;
        all.insert(all.end(), order_binds.begin(), order_binds.end());
        return StreamRows(select + " FROM runs r WHERE " + filter + " ORDER BY " + order + LimitSql(q.limit, q.offset),
                          all, fn, &rows);
      }
    }
    if (!walked)
      TRAIL_RETURN_IF_ERROR(StreamRows(
          select + with_key + " ORDER BY " + plan->value + dir + ", r.number DESC" + LimitSql(q.limit, q.offset), binds,
          fn, &rows));
    if (q.limit >= 0 && rows >= q.limit) return Status::Ok();
    // Past the runs with the field: how many there were decides how many without it to skip.
    int64_t with = q.offset + rows;
    if (rows == 0 && q.offset > 0) {
      TRAIL_ASSIGN_OR_RETURN(Statement count, db_->Prepare("SELECT count(*)" + with_key));
      BindAll(count, binds);
      TRAIL_ASSIGN_OR_RETURN(bool any, count.Step());
      with = any ? count.Int(0) : 0;
    }
    std::vector<SqlValue> rest_binds = filter_binds;
    rest_binds.push_back(SqlValue(plan->key));
    int64_t rest_limit = q.limit < 0 ? -1 : q.limit - rows;
    int64_t ignored = 0;
    return StreamRows(select + " FROM runs r WHERE " + filter + " AND NOT EXISTS (SELECT 1 FROM " + plan->table +
                          " s WHERE s.run = r.rowid AND s.key = ? AND " + plan->value +
                          " IS NOT NULL) ORDER BY r.number DESC" + LimitSql(rest_limit, q.offset - with),
                      rest_binds, fn, &ignored);
  }();
  Status end = db_->Exec(result.ok() ? "COMMIT" : "ROLLBACK");
  TRAIL_RETURN_IF_ERROR(result);
  return end;
}

StatusOr<int64_t> RunIndex::CountMatching(const std::string& where, bool include_archived, bool use_columns) {
  if (use_columns) {
    // One read transaction: the columns and the generation they are kept under are of one state.
    TRAIL_RETURN_IF_ERROR(db_->Exec("BEGIN"));
    StatusOr<std::optional<int64_t>> counted = CountByColumns(where, include_archived);
    (void)db_->Exec("COMMIT");
    if (!counted.ok()) return counted.status();
    if (*counted) return **counted;
  }
  std::vector<SqlValue> binds;
  TRAIL_ASSIGN_OR_RETURN(std::string filter, FilterSql(where, include_archived, &binds));
  TRAIL_ASSIGN_OR_RETURN(Statement st, db_->Prepare("SELECT count(*) FROM runs r WHERE " + filter));
  BindAll(st, binds);
  TRAIL_ASSIGN_OR_RETURN(bool row, st.Step());
  return row ? st.Int(0) : 0;
}

StatusOr<KeyCounts> RunIndex::ListKeys() {
  KeyCounts out;
  auto group = [&](const std::string& sql, const std::string& strip, std::vector<KeyCount>* into) -> Status {
    TRAIL_ASSIGN_OR_RETURN(Statement st, db_->Prepare(sql));
    for (;;) {
      TRAIL_ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string key = st.Text(0);
      into->push_back({strip.empty() ? key : key.substr(strip.size()), st.Int(1)});
    }
    return Status::Ok();
  };
  TRAIL_RETURN_IF_ERROR(db_->Exec("BEGIN"));
  Status result = [&]() -> Status {
    TRAIL_RETURN_IF_ERROR(group("SELECT key, count(*) FROM params GROUP BY key ORDER BY key", "", &out.params));
    TRAIL_RETURN_IF_ERROR(group("SELECT key, count(*) FROM metrics GROUP BY key ORDER BY key", "", &out.metrics));
    TRAIL_RETURN_IF_ERROR(group("SELECT key, count(*) FROM tags GROUP BY key ORDER BY key", "", &out.tags));
    // '/' follows '.': the range holds exactly the keys with the prefix.
    TRAIL_RETURN_IF_ERROR(
        group("SELECT key, count(*) FROM fields WHERE key >= 'derived.' AND key < 'derived/' GROUP BY key ORDER BY key",
              "derived.", &out.derived));
    TRAIL_RETURN_IF_ERROR(
        group("SELECT key, count(*) FROM fields WHERE key >= 'context.' AND key < 'context/' GROUP BY key ORDER BY key",
              "context.", &out.context));
    return group("SELECT key, count(*) FROM fields WHERE key >= 'model.' AND key < 'model/' GROUP BY key ORDER BY key",
                 "model.", &out.model);
  }();
  (void)db_->Exec("COMMIT");
  TRAIL_RETURN_IF_ERROR(result);
  return out;
}

StatusOr<std::vector<RunRow>> RunIndex::List(const ListQuery& q) {
  std::vector<RunRow> rows;
  TRAIL_RETURN_IF_ERROR(ForEach(q, [&](const RunRow& r) {
    rows.push_back(r);
    return Status::Ok();
  }));
  return rows;
}

StatusOr<std::string> RunIndex::PathOf(const std::string& id_or_uid) {
  TRAIL_ASSIGN_OR_RETURN(Statement * st, Cached("SELECT path FROM runs WHERE id = ? OR uid = ? LIMIT 1"));
  st->BindText(1, id_or_uid);
  st->BindText(2, id_or_uid);
  TRAIL_ASSIGN_OR_RETURN(bool row, st->Step());
  std::string path = row ? st->Text(0) : std::string();
  st->Reset();
  if (!row) return NotFound("no run " + id_or_uid);
  return path;
}

StatusOr<std::vector<std::string>> RunIndex::Problems() {
  TRAIL_ASSIGN_OR_RETURN(Statement * st, Cached("SELECT message FROM problems ORDER BY path"));
  std::vector<std::string> out;
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back(st->Text(0));
  }
  return out;
}

int64_t RunIndex::Count() {
  auto st = db_->Prepare("SELECT count(*) FROM runs");
  if (!st.ok()) return -1;
  auto row = st->Step();
  return row.ok() && *row ? st->Int(0) : -1;
}

}  // namespace trail::index
