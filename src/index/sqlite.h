// Thin RAII wrappers over the SQLite C API: a connection and a prepared statement.
// Errors come back as Status; SQLITE_CORRUPT / SQLITE_NOTADB map to Code::kCorrupt
// so the caller can throw the cache away and rebuild it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "trail/status.h"

namespace trail::index {

using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  void Bind(int i, const SqlValue& v);
  void BindText(int i, const std::string& s);
  void BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void BindDouble(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  // true while a row is available; error status on failure.
  StatusOr<bool> Step();
  Status Run();  // Step to completion, then Reset
  void Reset();

  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int Type(int col) const { return sqlite3_column_type(stmt_, col); }  // SQLITE_INTEGER, ...
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string Text(int col) const;
  // The current row's text, valid until the next Step or Reset.
  std::string_view TextView(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    if (!p) return {};
    return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  std::optional<double> OptDouble(int col) const {
    return IsNull(col) ? std::nullopt : std::optional<double>(Double(col));
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Database {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path);
  ~Database();
  Status Exec(const std::string& sql);
  StatusOr<Statement> Prepare(const std::string& sql);
  sqlite3* raw() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

Status SqliteError(sqlite3* db, int rc, const std::string& what);

}  // namespace trail::index
