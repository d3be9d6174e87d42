// Test helper: an in-memory SQLite database with the index schema and four runs, so tests can
// check what compiled fragments return rather than only how they read.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <variant>
#include <vector>

#include "query/query.h"

namespace trail::query::testing {

// The schema the index layer creates; compiled SQL must run against exactly this.
inline constexpr const char* kSchema = R"sql(
CREATE TABLE runs(rowid INTEGER PRIMARY KEY, id TEXT, number INTEGER, uid TEXT, name TEXT,
  status TEXT, user TEXT, started TEXT, started_ts REAL, ended TEXT, ended_ts REAL,
  duration_s REAL, exit_code INTEGER, command TEXT, host TEXT, parent TEXT, archived INTEGER,
  branch TEXT, code_commit TEXT);
CREATE TABLE params(run INTEGER, key TEXT, text TEXT, num REAL);
CREATE TABLE tags(run INTEGER, key TEXT, value TEXT);
CREATE TABLE metrics(run INTEGER, key TEXT, last REAL, min REAL, max REAL, count INTEGER,
  min_step INTEGER, max_step INTEGER, last_step INTEGER);
)sql";

// r1..r4, chosen so each query in query_test.cc separates them: mixed-case and wildcard-looking
// text, numeric and non-numeric params, missing keys and NULL attributes.
inline constexpr const char* kRuns = R"sql(
INSERT INTO runs VALUES
 (1, 'r1', 1, 'u1', 'baseline', 'FINISHED', 'alice', '2024-01-01T10:00:00Z', 1704103200,
  '2024-01-01T10:05:00Z', 1704103500, 300, 0, 'python train.py', 'gpu1', NULL, 0, 'main',
  'abc123'),
 (2, 'r2', 2, 'u2', 'Baseline-2', 'FAILED', 'bob', '2024-02-01T00:00:00Z', 1706745600,
  NULL, NULL, NULL, 1, 'python train.py --lr 0.01', 'gpu2', 'r1', 0, 'dev', 'def456'),
 (3, 'r3', 3, 'u3', 'sweep_50%', 'RUNNING', 'alice', '2024-03-01T00:00:00Z', 1709251200,
  NULL, NULL, NULL, NULL, 'python sweep.py', 'gpu1', 'r1', 1, 'main', 'abc123'),
 (4, 'r4', 4, 'u4', 'sweep*star', 'FINISHED', 'carol', '2024-03-02T00:00:00Z', 1709337600,
  '2024-03-02T01:00:00Z', 1709341200, 3600, 0, 'python train.py', 'gpu3', NULL, 0,
  'feature/x', '0123');
INSERT INTO params VALUES
 (1, 'optimizer', 'adam', NULL), (1, 'lr', '0.001', 0.001), (1, 'layers', '4', 4),
 (1, 'use_bn', 'True', NULL), (1, 'a-b', 'x', NULL), (1, 'train.lr', '0.1', 0.1),
 (2, 'optimizer', 'Adam', NULL), (2, 'lr', '0.01', 0.01), (2, 'layers', '8', 8),
 (2, 'use_bn', 'false', NULL),
 (3, 'optimizer', 'sgd', NULL), (3, 'lr', '1e-3', 0.001), (3, 'layers', 'auto', NULL),
 (4, 'optimizer', 'adamw', NULL), (4, 'lr', '0.1', 0.1);
INSERT INTO tags VALUES
 (1, 'stage', 'prod'), (1, 'v', '2'), (1, 'note', 'Hello World'),
 (2, 'stage', 'draft'), (2, 'v', '2.0'), (2, 'note', 'hello world'),
 (3, 'stage', 'prod'), (3, 'note', '50% done'),
 (4, 'v', '10'), (4, 'note', 'x*y?[z]');
INSERT INTO metrics VALUES
 (1, 'loss', 0.25, 0.2, 0.9, 10, 0, 9, 9), (1, 'val loss', 0.3, 0.3, 0.8, 2, 0, 1, 1),
 (2, 'loss', 0.5, 0.1, 1.0, 5, 0, 4, 4),
 (3, 'loss', 0.1, 0.1, 0.7, 100, 0, 99, 99),
 (4, 'acc', 0.95, 0.5, 0.95, 3, 0, 2, 2);
)sql";

class TestDb {
 public:
  TestDb() {
    EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    Exec(kSchema);
    Exec(kRuns);
  }
  ~TestDb() { sqlite3_close(db_); }
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  void Exec(const char* sql) {
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, &error), SQLITE_OK) << error;
    sqlite3_free(error);
  }

  // Ids of the runs `where` selects, in `order_by` order (ties by number), the way the index
  // layer runs them. Failures to prepare or run are test failures and return {"<error>"}.
  std::vector<std::string> Ids(const SqlFragment* where, const SqlFragment* order_by) {
    std::string sql = "SELECT r.id FROM runs r";
    std::vector<SqlValue> binds;
    if (where != nullptr) {
      sql += " WHERE " + where->sql;
      binds = where->binds;
    }
    sql += " ORDER BY ";
    if (order_by != nullptr) {
      sql += order_by->sql + ", ";
      binds.insert(binds.end(), order_by->binds.begin(), order_by->binds.end());
    }
    sql += "r.number";

    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << " in: " << sql;
      return {"<error>"};
    }
    EXPECT_EQ(sqlite3_bind_parameter_count(stmt), static_cast<int>(binds.size())) << sql;
    for (size_t i = 0; i < binds.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      if (const int64_t* integer = std::get_if<int64_t>(&binds[i])) {
        sqlite3_bind_int64(stmt, index, *integer);
      } else if (const double* real = std::get_if<double>(&binds[i])) {
        sqlite3_bind_double(stmt, index, *real);
      } else {
        const std::string& text = std::get<std::string>(binds[i]);
        sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      }
    }
    std::vector<std::string> ids;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    if (rc != SQLITE_DONE) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << " in: " << sql;
      ids = {"<error>"};
    }
    sqlite3_finalize(stmt);
    return ids;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace trail::query::testing
