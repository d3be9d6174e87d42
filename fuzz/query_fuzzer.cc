// Fuzzes the run query language (`trail ls --where EXPR --sort KEY`, query.h): whatever the text,
// CompileWhere and CompileOrderBy return either a well-formed error or SQL that SQLite prepares
// and runs, with one bind per placeholder, inside the statement the index builds
// (RunIndex::List), against the index's own schema. A compile that yields SQL SQLite rejects is a
// bug in the compiler, not in the input.
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/check.h"
#include "query/query.h"
#include "query/source.h"

namespace trail::fuzz {
namespace {

// The tables of src/index/run_index.cc's schema that queries read, as created there.
constexpr const char* kSchema = R"sql(
CREATE TABLE runs(
  rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, number INTEGER, uid TEXT, name TEXT, status TEXT, user TEXT,
  started TEXT, started_ts REAL, ended TEXT, ended_ts REAL, duration_s REAL, exit_code INTEGER,
  command TEXT, host TEXT, parent TEXT, archived INTEGER, branch TEXT, code_commit TEXT, path TEXT NOT NULL);
CREATE UNIQUE INDEX runs_path ON runs(path);
CREATE INDEX runs_id ON runs(id);
CREATE INDEX runs_uid ON runs(uid);
CREATE INDEX runs_started ON runs(started_ts);
CREATE TABLE params(run INTEGER, key TEXT, text TEXT, num REAL, PRIMARY KEY(run, key)) WITHOUT ROWID;
CREATE TABLE tags(run INTEGER, key TEXT, value TEXT, PRIMARY KEY(run, key)) WITHOUT ROWID;
CREATE TABLE metrics(run INTEGER, key TEXT, last REAL, min REAL, max REAL, count INTEGER,
  min_step INTEGER, max_step INTEGER, last_step INTEGER, PRIMARY KEY(run, key)) WITHOUT ROWID;
INSERT INTO runs VALUES
 (1, 'fz-1', 1, 'u1', 'base', 'finished', 'alice', '2024-01-01T10:00:00.000Z', 1704103200, '2024-01-01T10:05:00.000Z',
  1704103500, 300, 0, 'python train.py', 'gpu1', NULL, 0, 'main', 'abc123', 'runs/000/fz-1/run.yaml'),
 (2, 'fz-2', 2, 'u2', NULL, 'crashed', NULL, '2024-02-01T00:00:00.000Z', 1706745600, NULL, NULL, NULL, NULL,
  'python train.py --lr 0.01', 'gpu2', 'fz-1', 0, NULL, NULL, 'runs/000/fz-2/run.yaml');
INSERT INTO params VALUES (1, 'lr', '0.1', 0.1), (1, 'optimizer', 'adam', NULL), (2, 'lr', 'auto', NULL),
 (2, 'a b', '', NULL);
INSERT INTO tags VALUES (1, 'stage', 'prod'), (2, 'v', '2');
INSERT INTO metrics VALUES (1, 'loss', 0.25, 0.2, 0.9, 10, 3, 0, 9), (2, 'loss', NULL, NULL, NULL, 4, 0, 0, 3),
 (2, 'val/acc', 0.5, 0.5, 0.5, 1, 0, 0, 0);
)sql";

class Db {
 public:
  Db() {
    FUZZ_CHECK(sqlite3_open(":memory:", &db_) == SQLITE_OK, "sqlite3_open");
    char* error = nullptr;
    FUZZ_CHECK(sqlite3_exec(db_, kSchema, nullptr, nullptr, &error) == SQLITE_OK, error ? error : "schema");
  }
  ~Db() { sqlite3_close(db_); }

  // Prepares and runs `sql` with `binds` to completion; any failure is a compiler bug.
  void Run(const std::string& sql, const std::vector<query::SqlValue>& binds, std::string_view input) {
    auto note = [&] { return "input: " + Escaped(input) + "\n  sql: " + sql; };
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr);
    FUZZ_CHECK(rc == SQLITE_OK, "compiled SQL does not prepare: " + std::string(sqlite3_errmsg(db_)) + "\n  " + note());
    FUZZ_CHECK(sqlite3_bind_parameter_count(stmt) == static_cast<int>(binds.size()),
               "placeholders and binds differ: " + std::to_string(sqlite3_bind_parameter_count(stmt)) + " vs " +
                   std::to_string(binds.size()) + "\n  " + note());
    for (size_t i = 0; i < binds.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (const int64_t* integer = std::get_if<int64_t>(&binds[i])) {
        rc = sqlite3_bind_int64(stmt, index, *integer);
      } else if (const double* real = std::get_if<double>(&binds[i])) {
        rc = sqlite3_bind_double(stmt, index, *real);
      } else {
        const std::string& text = std::get<std::string>(binds[i]);
        rc = sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      }
      FUZZ_CHECK(rc == SQLITE_OK, "bind " + std::to_string(index) + ": " + sqlite3_errmsg(db_) + "\n  " + note());
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    FUZZ_CHECK(rc == SQLITE_DONE, "compiled SQL fails to run: " + std::string(sqlite3_errmsg(db_)) + "\n  " + note());
    sqlite3_finalize(stmt);
  }

 private:
  sqlite3* db_ = nullptr;
};

Db& TheDb() {
  static Db* db = new Db;  // never destroyed: harnesses may run until the process is killed
  return *db;
}

// query.h's error contract: InvalidArgument, one line, "bad <what> at column N: ...", N within the
// text or just past it.
void CheckError(const Status& status, std::string_view text, std::string_view what) {
  const std::string& message = status.message();
  auto note = [&] { return message + "\n  input: " + Escaped(text); };
  FUZZ_CHECK(status.code() == Code::kInvalidArgument, note());
  std::string prefix = "bad " + std::string(what) + " at column ";
  FUZZ_CHECK(message.starts_with(prefix), note());
  FUZZ_CHECK(message.find('\n') == std::string::npos, note());
  size_t column = 0;
  size_t i = prefix.size();
  for (; i < message.size() && message[i] >= '0' && message[i] <= '9' && column < 1000000000; ++i) {
    column = column * 10 + static_cast<size_t>(message[i] - '0');
  }
  FUZZ_CHECK(i > prefix.size() && i < message.size() && message[i] == ':', note());
  FUZZ_CHECK(column >= 1 && column <= query::ColumnAt(text, text.size()), note());
}

// The statement RunIndex::List builds around the fragments.
void RunList(const query::SqlFragment* where, const query::SqlFragment* order, std::string_view input) {
  std::string sql =
      "SELECT r.rowid, r.id, r.number, r.name, r.status, r.user, r.started, r.started_ts,"
      " r.duration_s, r.exit_code, r.parent, r.archived, r.path FROM runs r WHERE 1 AND r.archived = 0";
  std::vector<query::SqlValue> binds;
  if (where) {
    sql += " AND (" + where->sql + ")";
    binds.insert(binds.end(), where->binds.begin(), where->binds.end());
  }
  if (order) {
    sql += " ORDER BY " + order->sql + ", r.number DESC";
    binds.insert(binds.end(), order->binds.begin(), order->binds.end());
  } else {
    sql += " ORDER BY r.started_ts DESC, r.number DESC";
  }
  TheDb().Run(sql, binds, input);
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  StatusOr<query::SqlFragment> where = query::CompileWhere(text);
  if (where.ok()) {
    fuzz::RunList(&*where, nullptr, text);
  } else {
    fuzz::CheckError(where.status(), text, "query");
  }
  for (bool descending : {false, true}) {
    StatusOr<query::SqlFragment> order = query::CompileOrderBy(text, descending);
    if (order.ok()) {
      fuzz::RunList(where.ok() ? &*where : nullptr, &*order, text);
    } else {
      fuzz::CheckError(order.status(), text, "sort key");
    }
  }
  return 0;
}
