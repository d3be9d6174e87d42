// search_runs' table, built in C++: one pass over api::ForEachRun's rows into typed column
// buffers, so 100,000 runs reach pandas as a few hundred numpy arrays instead of 100,000 dicts.
// No Python here (read.cc turns the buffers into arrays), so the pass runs without the GIL.
//
// Column names and types are the contract docs/python.md ("Reading runs back") documents.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "trail/json.h"
#include "trail/runs.h"

namespace trail::python {

// One column of scalars that may be missing in some rows. A keyed column (params.lr,
// tags.stage, ...) takes what the runs hold: it ends up as numbers when every present value is
// an int or float, as bools when every row has a bool, else as Python objects.
struct ValueColumn {
  enum Type : uint8_t { kMissing = 0, kInt, kFloat, kBool, kText };
  std::string name;
  std::vector<uint8_t> type;           // per row
  std::vector<double> number;          // per row: the value of an int, float or bool; NaN otherwise
  std::vector<int64_t> integer;        // per row, exact ints (allocated at the first int)
  std::vector<std::string> text;       // per row (allocated at the first text)
  int64_t count[5] = {0, 0, 0, 0, 0};  // rows of each Type, kMissing counted at Finish

  void Set(size_t row, const Json& value);
  void SetNumber(size_t row, double value);
  void SetInt(size_t row, int64_t value);
  void SetText(size_t row, std::string_view value);
  // Pads every vector to `rows` rows and counts the missing ones.
  void Finish(size_t rows);

 private:
  void Grow(size_t row);
};

// A table's columns, in the documented order: the run's attributes, then params.*, metrics.*
// (and with summaries min(metrics.K), max(metrics.K), count(metrics.K)), tags.*, derived.*,
// context.*, model.*, each group sorted by key.
class RunTable {
 public:
  explicit RunTable(bool summaries) : summaries_(summaries) {}

  void Add(const api::RunRow& row);
  // Pads the columns to the row count; call once, after the last Add.
  void Finish();

  size_t rows() const { return rows_; }
  // Attribute columns: one entry per row.
  const std::vector<std::string>& id() const { return id_; }
  const std::vector<std::string>& name() const { return name_; }
  const std::vector<std::string>& status() const { return status_; }  // trail's (finished, crashed, ...)
  const std::vector<std::string>& user() const { return user_; }
  const std::vector<std::string>& parent() const { return parent_; }
  const std::vector<int64_t>& number() const { return number_; }
  const std::vector<int64_t>& start_ns() const { return start_ns_; }  // kNoTime where unknown
  const std::vector<int64_t>& end_ns() const { return end_ns_; }
  const std::vector<double>& duration_s() const { return duration_s_; }  // NaN where unknown
  const std::vector<int64_t>& exit_code() const { return exit_code_; }
  const std::vector<uint8_t>& has_exit_code() const { return has_exit_code_; }
  const std::vector<uint8_t>& archived() const { return archived_; }
  // The keyed columns, in the documented order.
  std::vector<const ValueColumn*> Columns() const;

  static constexpr int64_t kNoTime = INT64_MIN;  // numpy's NaT

 private:
  // The keyed columns of one group (params, metrics, ...), found by key. Rows usually list their
  // keys in the same order, so the previous row's key at the same position is tried first.
  struct Group {
    Group(std::string p, std::string s) : prefix(std::move(p)), suffix(std::move(s)) {}
    std::string prefix, suffix;  // "params." / ""; summaries: "min(metrics." / ")"
    std::unordered_map<std::string, size_t> by_key;
    std::vector<std::unique_ptr<ValueColumn>> columns;
    std::vector<std::pair<std::string, size_t>> hint;
    ValueColumn& Find(size_t position, const std::string& key);
  };
  void AddGroup(Group& group, const Json& values);

  bool summaries_;
  size_t rows_ = 0;
  std::vector<std::string> id_, name_, status_, user_, parent_;
  std::vector<int64_t> number_, start_ns_, end_ns_, exit_code_;
  std::vector<double> duration_s_;
  std::vector<uint8_t> has_exit_code_, archived_;
  Group params_{"params.", ""}, metrics_{"metrics.", ""}, min_{"min(metrics.", ")"}, max_{"max(metrics.", ")"},
      count_{"count(metrics.", ")"}, tags_{"tags.", ""}, derived_{"derived.", ""}, context_{"context.", ""},
      model_{"model.", ""};
};

// "2026-11-26T07:29:37.021Z" (run-yaml.md's form; any fraction, Z or +hh:mm) as nanoseconds
// since the epoch; RunTable::kNoTime for anything else.
int64_t ParseIsoTimeNs(std::string_view text);

}  // namespace trail::python
