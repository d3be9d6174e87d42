// The same conditions and sort keys as the SQL compiler, evaluated over in-memory columns (one
// array per field, indexed by the run's rowid) instead of one correlated subquery per run: a
// filtered, sorted page of 100,000 runs then costs a pass over a few arrays, not 100,000 index
// seeks per field. It covers the numeric part of the language (comparisons, IN and IS NULL on
// metrics, numeric params, derived and context values and numeric attributes; and, or, not);
// a condition with anything else (strings, LIKE, tags, text attributes) plans to nullopt and the
// caller uses the SQL. Its results must equal the SQL's exactly: query_fuzzer and the index tests
// compare the two on the same data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/ast.h"
#include "trail/status.h"

namespace trail::query {

// What a column holds, and the SQL that reads it: `SELECT run, value FROM ... WHERE key = ?`
// (bind `key`), or for attributes `SELECT rowid, value FROM runs`. A run without a row, or whose
// value is NULL, is absent from the column.
struct ColumnSpec {
  std::string sql;
  std::string key;       // bound to the one '?', empty for attributes
  std::string id;        // sql + '\n' + key: identifies the column in a cache
  bool natural = false;  // params/fields natural view: value is num, present when the key exists
};

// A column's values by rowid. `text_only[rowid]` marks a natural-view row whose key exists but
// holds text (num NULL): present for IS NULL, and a reason a sort falls back to SQL.
struct Column {
  const double* value = nullptr;     // [rows]
  const uint8_t* present = nullptr;  // [rows]
  size_t rows = 0;
  bool any_text = false;
  // Owns what value and present point into: arrays read from the index, or a kept column's file
  // mapped in memory (index/column_scan.cc).
  std::shared_ptr<const void> storage;
  bool Has(int64_t rowid) const {
    return rowid >= 0 && static_cast<size_t>(rowid) < rows && present[static_cast<size_t>(rowid)] != 0;
  }
};

// A condition planned over columns. Evaluate is three-valued as SQL is (and/or by Kleene's
// rules), with the compiler's `not`: (x) IS NOT TRUE, so a missing field under `not` matches.
class ColumnFilter {
 public:
  ~ColumnFilter();
  ColumnFilter(ColumnFilter&&) noexcept;
  ColumnFilter& operator=(ColumnFilter&&) noexcept;

  // The columns Evaluate reads; the caller loads them in this order and passes them back.
  const std::vector<ColumnSpec>& columns() const { return columns_; }
  // True when the condition holds for `rowid`. `loaded[i]` is columns()[i].
  bool Matches(const std::vector<const Column*>& loaded, int64_t rowid) const;

  struct Node;

 private:
  friend StatusOr<std::optional<ColumnFilter>> PlanColumnFilter(std::string_view text);
  ColumnFilter();
  std::vector<ColumnSpec> columns_;
  std::unique_ptr<Node> root_;
};

// Parses and checks `text` as CompileWhere does (the same errors), then plans it; nullopt when
// some part of it is outside what columns evaluate.
StatusOr<std::optional<ColumnFilter>> PlanColumnFilter(std::string_view text);

// A sort key over one column, in CompileOrderBy's order: runs with the value first, by value,
// then those without; ties by number, newest first. nullopt for keys without a numeric column
// (text params are detected when the column loads: Column::any_text).
struct ColumnSort {
  ColumnSpec column;
  bool descending = false;
};
StatusOr<std::optional<ColumnSort>> PlanColumnSort(std::string_view key, bool descending);

// The runs table's own columns every plan needs: every run (present for each rowid), archived,
// number, started_ts.
ColumnSpec RunsColumn();
ColumnSpec ArchivedColumn();
ColumnSpec NumberColumn();
ColumnSpec StartedColumn();

}  // namespace trail::query
