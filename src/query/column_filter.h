// The same conditions and sort keys as the SQL compiler, evaluated over in-memory columns (one
// array per field, indexed by the run's rowid) instead of one correlated subquery per run: a
// filtered, sorted page of 100,000 runs then costs a pass over a few arrays, not 100,000 index
// seeks per field. It covers the whole condition language: comparisons, IN and IS NULL on numbers
// (metrics, numeric params, derived and context values, numeric attributes) and on text (text
// params, tags, status and the other text attributes, held as dictionary codes so that =, <,
// IN, LIKE and GLOB are decided once per distinct value), and, or, not. What it cannot take
// (a LIKE pattern longer than SQLite allows, say) plans to nullopt and the caller uses the SQL.
// Its results must equal the SQL's exactly: the index tests compare the two on the same data,
// with generated conditions as well as written ones.
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
  bool text = false;     // the value is text: a dictionary column (Column::code)
};

// A column's values by rowid. A numeric column holds `value`; `any_text` says some run's value is
// text (a natural-view row whose key exists but holds text, num NULL: present for IS NULL, and a
// reason a sort falls back to SQL; in a number view, a reason the whole query does).
// A text column (ColumnSpec::text) holds `code` instead: the rank of the run's value among the
// column's distinct values, `strings[code]`, which are in SQLite's BINARY order (memcmp, then
// length), so comparing codes compares the strings. `mixed` says some value was not text (a
// number or a blob): the caller uses the SQL.
struct Column {
  const double* value = nullptr;     // [rows], numeric columns
  const uint32_t* code = nullptr;    // [rows], text columns
  const uint8_t* present = nullptr;  // [rows]
  size_t rows = 0;
  bool any_text = false;
  bool mixed = false;
  std::vector<std::string_view> strings;  // text columns: the distinct values, ascending
  // Owns what value, code, present and strings point into: arrays read from the index, or a
  // kept column's file mapped in memory (index/column_scan.cc).
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

  // The columns Matches reads; the caller loads them in this order and passes them to Bind.
  const std::vector<ColumnSpec>& columns() const { return columns_; }
  // Decides each text condition once per distinct value of its column. `loaded[i]` is
  // columns()[i]; they must outlive the calls to Matches that follow.
  void Bind(const std::vector<const Column*>& loaded);
  // True when the condition holds for `rowid`. Requires Bind.
  bool Matches(int64_t rowid) const;

  struct Node;

 private:
  friend StatusOr<std::optional<ColumnFilter>> PlanColumnFilter(std::string_view text);
  ColumnFilter();
  std::vector<ColumnSpec> columns_;
  std::vector<const Column*> loaded_;
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
