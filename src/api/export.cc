#include "trail/export.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <set>
#include <utility>

#include "api/project_access.h"
#include "base/clock.h"
#include "base/errors.h"
#include "base/files.h"
#include "base/numbers.h"
#include "base/paths.h"
#include "base/yaml.h"
#include "record/record.h"
#include "trail/series.h"

namespace trail::api {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;

// The fixed first columns of the runs table: `trail ls --format csv`'s (docs/query.md).
const std::vector<std::string> kRunColumns = {"id", "number", "name", "status", "started", "duration_s", "user"};

// Rows of one table in one format, buffered and handed to the sink in pieces. A cell is a
// typed value: null (an empty CSV field; null in JSON), text, int, float or bool.
class TableWriter {
 public:
  TableWriter(ExportFormat format, std::vector<std::string> columns, const ExportSink& sink)
      : format_(format), columns_(std::move(columns)), sink_(sink) {
    if (format_ == ExportFormat::kJsonl) {
      // Keys are the same in every row: quote them once.
      for (const auto& c : columns_) keys_.push_back(DumpJson(Json(c), -1) + ":");
    } else {
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (i) buffer_ += ',';
        AppendCsvField(columns_[i]);
      }
      buffer_ += '\n';
    }
  }

  Status Row(const std::vector<Json>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (format_ == ExportFormat::kJsonl) {
        buffer_ += i ? ',' : '{';
        buffer_ += keys_[i];
        AppendJson(cells[i]);
      } else {
        if (i) buffer_ += ',';
        if (!cells[i].is_null())
          AppendCsvField(cells[i].is_string() ? cells[i].get_ref<const std::string&>() : CsvScalar(cells[i]));
      }
    }
    if (format_ == ExportFormat::kJsonl) buffer_ += cells.empty() ? "{}" : "}";
    buffer_ += '\n';
    return buffer_.size() >= kFlushBytes ? Flush() : Status::Ok();
  }

  Status Flush() {
    if (buffer_.empty()) return Status::Ok();
    Status s = sink_(buffer_);
    buffer_.clear();
    return s;
  }

 private:
  // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
  void AppendCsvField(const std::string& f) {
    if (f.find_first_of(",\"\n\r") == std::string::npos) {
      buffer_ += f;
      return;
    }
    buffer_ += '"';
    for (char ch : f) {
      if (ch == '"') buffer_ += '"';
      buffer_ += ch;
    }
    buffer_ += '"';
  }

  // Numbers as the shortest text that reads back the same; nan, inf, -inf as pandas reads them.
  static std::string CsvScalar(const Json& v) {
    if (v.is_number_float()) return FormatDouble(v.get<double>());
    return record::ScalarText(v);  // ints, bools ("true"/"false"), lists and maps as JSON
  }

  // JSON has no NaN or infinity: they are written as Python's json module and pandas.read_json
  // read them (NaN, Infinity, -Infinity), so a value column keeps one type.
  void AppendJson(const Json& v) {
    if (v.is_number_float() && !std::isfinite(v.get<double>())) {
      double d = v.get<double>();
      buffer_ += std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity");
      return;
    }
    buffer_ += DumpJson(v, -1);
  }

  const ExportFormat format_;
  const std::vector<std::string> columns_;
  const ExportSink& sink_;
  std::vector<std::string> keys_;
  std::string buffer_;
};

// A param's type column: int, float, bool, string, or json for a list or mapping.
const char* TypeName(const Json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return "int";
  if (v.is_number_float()) return "float";
  if (v.is_boolean()) return "bool";
  if (v.is_string()) return "string";
  if (v.is_null()) return "null";
  return "json";
}

Json Optional(const std::optional<double>& v) { return v ? Json(*v) : Json(); }

Status WriteRuns(Project& project, const RunQuery& query, ExportFormat format, const ExportSink& sink,
                 ExportCounts* counts) {
  // The columns are every key of the selected runs, each group sorted: one pass to learn them.
  std::set<std::string> params, metrics, tags;
  TRAIL_RETURN_IF_ERROR(ForEachRun(project, query, [&](const RunRow& r) {
    for (auto it = r.params.begin(); it != r.params.end(); ++it) params.insert(it.key());
    for (auto it = r.metrics.begin(); it != r.metrics.end(); ++it) metrics.insert(it.key());
    for (auto it = r.tags.begin(); it != r.tags.end(); ++it) tags.insert(it.key());
    return Status::Ok();
  }));
  std::vector<std::string> columns = kRunColumns;
  for (const auto& k : params) columns.push_back("params." + k);
  for (const auto& k : metrics) {
    columns.push_back("metrics." + k);
    columns.push_back("min(metrics." + k + ")");
    columns.push_back("max(metrics." + k + ")");
    columns.push_back("count(metrics." + k + ")");
  }
  for (const auto& k : tags) columns.push_back("tags." + k);
  TableWriter out(format, columns, sink);
  std::vector<Json> cells;
  TRAIL_RETURN_IF_ERROR(ForEachRun(project, query, [&](const RunRow& r) {
    cells.clear();
    cells.reserve(columns.size());
    cells.emplace_back(r.id);
    cells.emplace_back(r.number);
    cells.emplace_back(r.name);
    cells.emplace_back(r.status);
    cells.emplace_back(r.started);
    cells.push_back(Optional(r.duration_s));
    cells.emplace_back(r.user);
    for (const auto& k : params) {
      auto it = r.params.find(k);
      cells.push_back(it == r.params.end() ? Json() : *it);
    }
    for (const auto& k : metrics) {
      auto it = r.metrics.find(k);
      for (const char* field : {"last", "min", "max", "count"}) {
        cells.push_back(it == r.metrics.end() || !it->is_object() ? Json() : it->value(field, Json()));
      }
    }
    for (const auto& k : tags) {
      auto it = r.tags.find(k);
      cells.push_back(it == r.tags.end() ? Json() : *it);
    }
    if (counts) counts->runs++;
    return out.Row(cells);
  }));
  return out.Flush();
}

Status WriteParams(Project& project, const RunQuery& query, ExportFormat format, const ExportSink& sink,
                   ExportCounts* counts) {
  TableWriter out(format, {"run_id", "key", "value", "type"}, sink);
  TRAIL_RETURN_IF_ERROR(ForEachRun(project, query, [&](const RunRow& r) {
    for (auto it = r.params.begin(); it != r.params.end(); ++it) {
      // The value column is text in every row (one type per column); `type` says how to read it.
      const Json& v = it.value();
      if (counts) counts->params++;
      TRAIL_RETURN_IF_ERROR(out.Row({r.id, it.key(), v.is_null() ? Json() : Json(record::ScalarText(v)), TypeName(v)}));
    }
    return Status::Ok();
  }));
  return out.Flush();
}

Status WriteTags(Project& project, const RunQuery& query, ExportFormat format, const ExportSink& sink,
                 ExportCounts* counts) {
  TableWriter out(format, {"run_id", "key", "value"}, sink);
  TRAIL_RETURN_IF_ERROR(ForEachRun(project, query, [&](const RunRow& r) {
    for (auto it = r.tags.begin(); it != r.tags.end(); ++it) {
      if (counts) counts->tags++;
      TRAIL_RETURN_IF_ERROR(out.Row({r.id, it.key(), record::ScalarText(it.value())}));
    }
    return Status::Ok();
  }));
  return out.Flush();
}

Status WriteMetrics(Project& project, const RunQuery& query, ExportFormat format, const ExportSink& sink,
                    ExportCounts* counts) {
  TableWriter out(format, {"run_id", "key", "step", "timestamp", "timestamp_ms", "value"}, sink);
  std::vector<Json> cells(6);
  trail::Project& internal = ProjectAccess::Of(project);
  TRAIL_ASSIGN_OR_RETURN(std::optional<std::string> tip, internal.repo().ResolveRef(internal.runs_ref()));
  TRAIL_RETURN_IF_ERROR(ForEachRun(project, query, [&](const RunRow& r) {
    if (r.metrics.empty() || !tip) return Status::Ok();  // no summary, so no series: spare the record read
    // A record that names no series has no "series:" key: its text says so without a parse,
    // which is most of a record read's cost. Anything else goes through LoadRun.
    auto text = internal.repo().ReadFileAt(*tip, record::RecordPath(r.id, r.number));
    if (text.ok() && text->find("series:") == std::string::npos) return Status::Ok();
    TRAIL_ASSIGN_OR_RETURN(StoredRun run, LoadRun(project, r.id));
    const Json* series = nullptr;
    if (run.record.contains("metrics") && run.record["metrics"].is_object() &&
        run.record["metrics"].contains("series") && run.record["metrics"]["series"].is_object())
      series = &run.record["metrics"]["series"];
    if (series == nullptr) return Status::Ok();
    for (auto it = series->begin(); it != series->end(); ++it) {
      TRAIL_ASSIGN_OR_RETURN(std::shared_ptr<const Series> points, LoadSeries(project, run, it.key()));
      cells[0] = r.id;
      cells[1] = it.key();
      for (size_t i = 0; i < points->value.size(); ++i) {
        const double t = points->time[i];
        cells[2] = points->step[i];
        cells[3] = FormatIsoTime(t);
        cells[4] = static_cast<int64_t>(std::llround(t * 1000.0));
        cells[5] = points->value[i];
        if (counts) counts->metric_points++;
        TRAIL_RETURN_IF_ERROR(out.Row(cells));
      }
    }
    return Status::Ok();
  }));
  return out.Flush();
}

// A file being written beside its final name; removed unless Commit renamed it into place.
class TempTable {
 public:
  explicit TempTable(std::string path) : path_(std::move(path)), temp_(TempPathFor(path_)) {}
  ~TempTable() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }
  Status Open() {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) return ErrnoError("cannot write", path_);
    return Status::Ok();
  }
  Status Write(std::string_view data) { return WriteAll(fd_, data, path_); }
  Status Close() {
    const int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0) return ErrnoError("cannot write", path_);
    return Status::Ok();
  }
  Status Commit() {
    if (::rename(temp_.c_str(), path_.c_str()) != 0) return ErrnoError("cannot write", path_);
    committed_ = true;
    return Status::Ok();
  }

 private:
  const std::string path_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

StatusOr<ExportTable> ParseExportTable(const std::string& name) {
  if (name == "runs") return ExportTable::kRuns;
  if (name == "params") return ExportTable::kParams;
  if (name == "metrics") return ExportTable::kMetrics;
  if (name == "tags") return ExportTable::kTags;
  return InvalidArgument("unknown table '" + name + "' (use runs, params, metrics or tags)");
}

StatusOr<ExportFormat> ParseExportFormat(const std::string& name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "jsonl") return ExportFormat::kJsonl;
  return InvalidArgument("unknown export format '" + name + "' (use csv or jsonl)");
}

std::string ExportTableName(ExportTable table) {
  switch (table) {
    case ExportTable::kRuns:
      return "runs";
    case ExportTable::kParams:
      return "params";
    case ExportTable::kMetrics:
      return "metrics";
    case ExportTable::kTags:
      return "tags";
  }
  return "runs";
}

std::string ExportFileName(ExportTable table, ExportFormat format) {
  return ExportTableName(table) + (format == ExportFormat::kCsv ? ".csv" : ".jsonl");
}

Status ExportRunsTable(Project& project, const RunQuery& query, ExportTable table, ExportFormat format,
                       const ExportSink& sink, ExportCounts* counts) {
  TRAIL_RETURN_IF_ERROR(CheckRunQuery(query));
  switch (table) {
    case ExportTable::kRuns:
      return WriteRuns(project, query, format, sink, counts);
    case ExportTable::kParams:
      return WriteParams(project, query, format, sink, counts);
    case ExportTable::kMetrics:
      return WriteMetrics(project, query, format, sink, counts);
    case ExportTable::kTags:
      return WriteTags(project, query, format, sink, counts);
  }
  return InvalidArgument("unknown table");
}

StatusOr<ExportCounts> ExportToFolder(Project& project, const RunQuery& query, ExportFormat format,
                                      const std::string& dir, const std::vector<ExportTable>& tables) {
  TRAIL_RETURN_IF_ERROR(CheckRunQuery(query));
  const bool existed = PathExists(dir);
  if (existed && !IsDirectory(dir)) return FailedPrecondition(dir + " is not a folder");
  if (!existed) TRAIL_RETURN_IF_ERROR(MakeDirs(dir));
  ExportCounts counts;
  Status s = [&]() -> Status {
    std::vector<std::unique_ptr<TempTable>> files;
    for (ExportTable t : tables) {
      files.push_back(std::make_unique<TempTable>(JoinPath(dir, ExportFileName(t, format))));
      TempTable& file = *files.back();
      TRAIL_RETURN_IF_ERROR(file.Open());
      TRAIL_RETURN_IF_ERROR(ExportRunsTable(
          project, query, t, format, [&](std::string_view d) { return file.Write(d); }, &counts));
      TRAIL_RETURN_IF_ERROR(file.Close());
    }
    // Every table is complete: only now do they take their names.
    for (auto& f : files) TRAIL_RETURN_IF_ERROR(f->Commit());
    return SyncDirectory(dir);
  }();
  if (!s.ok()) {
    if (!existed) (void)RemoveAll(dir);
    return s;
  }
  return counts;
}

}  // namespace trail::api
