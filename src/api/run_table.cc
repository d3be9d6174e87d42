#include "trail/run_table.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>

#include "api/list_query.h"
#include "api/project_access.h"
#include "base/clock.h"
#include "base/files.h"
#include "index/run_scan.h"

namespace trail::api {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Grows one column row by row; rows it never hears of stay missing.
class ColumnBuilder {
 public:
  ColumnBuilder(std::string name, size_t rows) {
    c_.name = std::move(name);
    Grow(rows);
  }

  void Set(size_t row, const Json& value) {
    switch (value.type()) {
      case Json::value_t::boolean:
        Put(row, ValueColumn::kBool, value.get<bool>() ? 1 : 0);
        break;
      case Json::value_t::number_integer:
        SetInt(row, value.get<int64_t>());
        break;
      case Json::value_t::number_unsigned: {
        const uint64_t u = value.get<uint64_t>();
        if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          SetInt(row, static_cast<int64_t>(u));
        } else {
          Put(row, ValueColumn::kFloat, static_cast<double>(u));
        }
        break;
      }
      case Json::value_t::number_float:
        Put(row, ValueColumn::kFloat, value.get<double>());
        break;
      case Json::value_t::string:
        SetText(row, value.get_ref<const std::string&>());
        break;
      case Json::value_t::null:
        break;
      default:
        SetText(row, value.dump());  // the index holds scalars; anything else shows as its JSON
        break;
    }
  }
  void SetFloat(size_t row, double value) { Put(row, ValueColumn::kFloat, value); }
  void SetInt(size_t row, int64_t value) {
    Put(row, ValueColumn::kInt, static_cast<double>(value));
    if (c_.integer.empty()) c_.integer.resize(c_.type.size(), 0);
    c_.integer[row] = value;
  }
  void SetText(size_t row, const std::string& value) {
    Put(row, ValueColumn::kText, kNaN);
    if (c_.text.empty()) c_.text.resize(c_.type.size());
    c_.text[row] = value;
  }

  const std::string& name() const { return c_.name; }
  // The column, `rows` long.
  ValueColumn Finish(size_t rows) {
    Grow(rows);
    c_.type.resize(rows);
    c_.number.resize(rows);
    if (!c_.integer.empty()) c_.integer.resize(rows);
    if (!c_.text.empty()) c_.text.resize(rows);
    int64_t present = 0;
    for (int t = 1; t < 5; ++t) present += c_.count[t];
    c_.count[ValueColumn::kMissing] = static_cast<int64_t>(rows) - present;
    return std::move(c_);
  }

 private:
  // Grows geometrically (a column gets its rows one at a time); Finish trims to the row count.
  void Grow(size_t rows) {
    if (c_.type.size() >= rows) return;
    rows = std::max(rows, 2 * c_.type.size());
    c_.type.resize(rows, ValueColumn::kMissing);
    c_.number.resize(rows, kNaN);
    if (!c_.integer.empty()) c_.integer.resize(rows, 0);
    if (!c_.text.empty()) c_.text.resize(rows);
  }
  void Put(size_t row, ValueColumn::Type type, double number) {
    Grow(row + 1);
    if (c_.type[row] != ValueColumn::kMissing) --c_.count[c_.type[row]];  // a key given twice: the last wins
    c_.type[row] = type;
    c_.number[row] = number;
    ++c_.count[type];
  }

  ValueColumn c_;
};

// The columns of one group (params, metrics, ...), found by key. A run's keys come in the same
// order as the previous run's, mostly: the previous key at the same position is tried first.
class Group {
 public:
  Group(std::string prefix, std::string suffix) : prefix_(std::move(prefix)), suffix_(std::move(suffix)) {}

  // `rows`: the table's rows so far, which a new column starts with (missing).
  ColumnBuilder& Find(size_t position, const std::string& key, size_t rows) {
    if (position < hint_.size() && hint_[position].first == key) return *columns_[hint_[position].second];
    auto [it, added] = by_key_.try_emplace(key, columns_.size());
    if (added) columns_.push_back(std::make_unique<ColumnBuilder>(prefix_ + key + suffix_, rows));
    if (position >= hint_.size()) hint_.resize(position + 1);
    hint_[position] = {key, it->second};
    return *columns_[it->second];
  }
  // (key, column) pairs, sorted by key.
  std::vector<std::pair<std::string, ColumnBuilder*>> Sorted() {
    std::vector<std::pair<std::string, ColumnBuilder*>> out;
    for (const auto& [key, i] : by_key_) out.emplace_back(key, columns_[i].get());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }

 private:
  std::string prefix_, suffix_;
  std::unordered_map<std::string, size_t> by_key_;
  std::vector<std::unique_ptr<ColumnBuilder>> columns_;
  std::vector<std::pair<std::string, size_t>> hint_;
};

int64_t Nanoseconds(std::optional<double> unix_seconds) {
  if (!unix_seconds || !std::isfinite(*unix_seconds) || std::fabs(*unix_seconds) > 9e9) return RunTable::kNoTime;
  return std::llround(*unix_seconds * 1e6) * 1000;  // records keep milliseconds; a double holds microseconds exactly
}

class TableBuilder : public index::RunScanSink {
 public:
  TableBuilder(RunTable* table, bool summaries, const std::set<std::string>* skip)
      : t_(*table), summaries_(summaries), skip_(skip) {}

  // A run in progress (api::LiveRuns): its attributes, params and tags.
  void AddLive(const RunRow& row) {
    index::ScannedRun run;
    run.id = row.id;
    run.number = row.number;
    run.name = row.name;
    run.status = row.status;
    run.user = row.user;
    run.parent = row.parent;
    run.started_ts = ParseIsoTime(row.started);
    run.duration_s = row.duration_s;
    run.exit_code = row.exit_code;
    run.archived = row.archived;
    AddRun(run);
    const size_t r = t_.rows - 1;
    size_t position = 0;
    for (auto it = row.params.begin(); it != row.params.end(); ++it)
      params_.Find(position++, it.key(), t_.rows).Set(r, *it);
    position = 0;
    for (auto it = row.tags.begin(); it != row.tags.end(); ++it) {
      tags_.Find(position++, it.key(), t_.rows).SetText(r, it->is_string() ? it->get<std::string>() : it->dump());
    }
  }

  void Run(const index::ScannedRun& run) override {
    if (skip_->count(run.id)) {
      row_of_.push_back(-1);
      return;
    }
    row_of_.push_back(static_cast<int64_t>(t_.rows));
    AddRun(run);
  }
  void Param(size_t position, const std::string& key, const Json& value) override {
    if (int64_t row = Row(position); row >= 0)
      params_.Find(next(position, 0), key, t_.rows).Set(static_cast<size_t>(row), value);
  }
  void Tag(size_t position, const std::string& key, const std::string& value) override {
    if (int64_t row = Row(position); row >= 0)
      tags_.Find(next(position, 1), key, t_.rows).SetText(static_cast<size_t>(row), value);
  }
  void Field(size_t position, const std::string& key, const Json& value) override {
    const int64_t row = Row(position);
    if (row < 0) return;
    const size_t k = next(position, 2);
    if (key.rfind("derived.", 0) == 0) {
      derived_.Find(k, key.substr(8), t_.rows).Set(static_cast<size_t>(row), value);
    } else if (key.rfind("context.", 0) == 0) {
      context_.Find(k, key.substr(8), t_.rows).Set(static_cast<size_t>(row), value);
    } else if (key.rfind("model.", 0) == 0) {
      model_.Find(k, key.substr(6), t_.rows).Set(static_cast<size_t>(row), value);
    }
  }
  void Metric(size_t position, const std::string& key, const index::ScannedMetric& m) override {
    const int64_t row = Row(position);
    if (row < 0) return;
    const size_t r = static_cast<size_t>(row), k = next(position, 3);
    ColumnBuilder& last = metrics_.Find(k, key, t_.rows);
    if (m.last) last.SetFloat(r, *m.last);
    if (!summaries_) return;
    if (m.min) min_.Find(k, key, t_.rows).SetFloat(r, *m.min);
    if (m.max) max_.Find(k, key, t_.rows).SetFloat(r, *m.max);
    if (m.count) count_.Find(k, key, t_.rows).SetInt(r, *m.count);
  }

  void Finish() {
    auto take = [&](Group& g) {
      for (auto& [key, c] : g.Sorted()) t_.columns.push_back(c->Finish(t_.rows));
    };
    take(params_);
    if (summaries_) {
      // Each metric's last value, then its min, max and count, side by side.
      auto mins = min_.Sorted(), maxs = max_.Sorted(), counts = count_.Sorted();
      std::unordered_map<std::string, ColumnBuilder*> by[3];
      for (auto& [k, c] : mins) by[0][k] = c;
      for (auto& [k, c] : maxs) by[1][k] = c;
      for (auto& [k, c] : counts) by[2][k] = c;
      for (auto& [key, c] : metrics_.Sorted()) {
        t_.columns.push_back(c->Finish(t_.rows));
        for (auto& part : by) {
          if (auto it = part.find(key); it != part.end()) t_.columns.push_back(it->second->Finish(t_.rows));
        }
      }
    } else {
      take(metrics_);
    }
    take(tags_);
    take(derived_);
    take(context_);
    take(model_);
  }

 private:
  void AddRun(const index::ScannedRun& run) {
    t_.id.push_back(run.id);
    t_.name.push_back(run.name);
    t_.status.push_back(run.status);
    t_.user.push_back(run.user);
    t_.parent.push_back(run.parent);
    t_.number.push_back(run.number);
    const int64_t start = Nanoseconds(run.started_ts);
    int64_t end = Nanoseconds(run.ended_ts);
    if (end == RunTable::kNoTime && start != RunTable::kNoTime && run.duration_s) {
      end = Nanoseconds(*run.started_ts + *run.duration_s);
    }
    t_.start_ns.push_back(start);
    t_.end_ns.push_back(end);
    t_.duration_s.push_back(run.duration_s.value_or(kNaN));
    t_.exit_code.push_back(run.exit_code.value_or(0));
    t_.has_exit_code.push_back(run.exit_code ? 1 : 0);
    t_.archived.push_back(run.archived ? 1 : 0);
    ++t_.rows;
  }
  int64_t Row(size_t position) const { return position < row_of_.size() ? row_of_[position] : -1; }
  // The value's place among its run's values of one table, for Group's hint: values come run
  // by run, so the count restarts when the run changes.
  size_t next(size_t position, int table) {
    if (position != last_position_ || table != last_table_) {
      last_position_ = position;
      last_table_ = table;
      index_in_run_ = 0;
    }
    return index_in_run_++;
  }

  RunTable& t_;
  bool summaries_;
  const std::set<std::string>* skip_;
  std::vector<int64_t> row_of_;  // scan position -> table row (-1: a live run's, listed already)
  size_t last_position_ = SIZE_MAX, index_in_run_ = 0;
  int last_table_ = -1;
  Group params_{"params.", ""}, metrics_{"metrics.", ""}, min_{"min(metrics.", ")"}, max_{"max(metrics.", ")"},
      count_{"count(metrics.", ")"}, tags_{"tags.", ""}, derived_{"derived.", ""}, context_{"context.", ""},
      model_{"model.", ""};
};

}  // namespace

StatusOr<RunTable> ReadRunTable(Project& project, const RunQuery& query, bool summaries) {
  TRAIL_RETURN_IF_ERROR(CheckRunQuery(query));
  RunTable table;
  TRAIL_ASSIGN_OR_RETURN(table.unreadable, SyncIndex(project));
  // Runs in progress are not on the branch: on top of an unfiltered, default-ordered first page,
  // as `trail ls` shows them. A resumed run is live and on the branch at once: its live row
  // stands for it.
  index::ListQuery q = ToListQuery(query);
  std::vector<RunRow> live;
  if (q.where.empty() && q.sort.empty() && q.offset == 0) {
    live = LiveRuns(project, q.limit);
    if (q.limit >= 0) q.limit -= static_cast<int64_t>(live.size());
  }
  std::set<std::string> live_ids;
  for (const auto& r : live) live_ids.insert(r.id);
  TableBuilder builder(&table, summaries, &live_ids);
  for (const auto& r : live) builder.AddLive(r);
  if (q.limit != 0) {
    // The index is up to date (SyncIndex above); the scan reads it through its own connection.
    TRAIL_RETURN_IF_ERROR(
        index::ScanRuns(JoinPath(ProjectAccess::Of(project).state_dir(), "index.sqlite"), q, builder));
  }
  builder.Finish();
  return table;
}

}  // namespace trail::api
