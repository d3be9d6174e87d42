#include "read.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "convert.h"
#include "trail/project.h"
#include "trail/run_table.h"
#include "trail/runs.h"
#include "trail/series.h"

namespace py = pybind11;

namespace trail::python {
namespace {

void Warn(const std::vector<std::string>& lines) {
  for (const auto& w : lines) {
    if (PyErr_WarnEx(PyExc_UserWarning, ("trail: " + w).c_str(), 1) < 0) throw py::error_already_set();
  }
}

// Opens the project containing `dir` without the GIL (opening may record crashed runs and
// syncs nothing yet); its warnings become Python warnings.
std::unique_ptr<api::Project> OpenProject(const std::string& dir, const char* what) {
  std::vector<std::string> warnings;
  StatusOr<std::unique_ptr<api::Project>> project = [&] {
    py::gil_scoped_release release;
    return api::Project::Open(dir, &warnings);
  }();
  ThrowIfError(project.status(), what);
  Warn(warnings);
  return std::move(*project);
}

// The runs `trail ls` lists for `query`, in its order: the runs in progress first when the
// listing is unfiltered, unsorted and not paged (they are not on the branch, so no filter or
// sort can see them), then the index's. Runs without the GIL; `unreadable` gets SyncIndex's lines.
Status ForEachListed(api::Project& project, api::RunQuery query, std::vector<std::string>* unreadable,
                     const std::function<void(const api::RunRow&)>& visit) {
  TRAIL_ASSIGN_OR_RETURN(*unreadable, api::SyncIndex(project));
  std::vector<api::RunRow> live;
  if (query.where.empty() && query.sort.empty() && query.offset == 0) {
    live = api::LiveRuns(project, query.limit);
    if (query.limit >= 0) query.limit -= static_cast<int64_t>(live.size());
  }
  std::set<std::string> live_ids;
  for (const auto& r : live) {
    live_ids.insert(r.id);
    visit(r);
  }
  if (query.limit == 0) return Status::Ok();
  return api::ForEachRun(project, query, [&](const api::RunRow& r) {
    if (!live_ids.count(r.id)) visit(r);
    return Status::Ok();
  });
}

api::RunQuery MakeQuery(const std::string& where, const std::string& sort, bool descending, int64_t limit,
                        bool include_archived) {
  api::RunQuery q;
  q.where = where;
  q.sort = sort;
  q.descending = descending;
  q.limit = limit < 0 ? -1 : limit;
  q.include_archived = include_archived;
  return q;
}

// MLflow's RunStatus for trail's: crashed (trail died) counts as FAILED, pruned (a sweep
// stopped the trial) as KILLED.
const char* MlflowStatus(const std::string& status) {
  if (status == "finished") return "FINISHED";
  if (status == "failed" || status == "crashed") return "FAILED";
  if (status == "killed" || status == "pruned") return "KILLED";
  if (status == "running") return "RUNNING";
  return nullptr;
}

template <class T>
py::array_t<T> NumericArray(const std::vector<T>& values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  if (!values.empty()) std::memcpy(out.mutable_data(), values.data(), values.size() * sizeof(T));
  return out;
}

py::array BoolArray(const std::vector<uint8_t>& values) {
  py::array out(py::dtype("bool"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(values.size())});
  if (!values.empty()) std::memcpy(out.mutable_data(), values.data(), values.size());
  return out;
}

// An object array of `rows` Python objects, each a new reference from make(i) (nullptr: a
// Python error is set).
py::array ObjectArray(size_t rows, const std::function<PyObject*(size_t)>& make) {
  py::array out(py::dtype("object"), std::vector<py::ssize_t>{static_cast<py::ssize_t>(rows)});
  auto** cells = static_cast<PyObject**>(out.mutable_data());
  for (size_t i = 0; i < rows; ++i) {
    PyObject* value = make(i);
    if (value == nullptr) throw py::error_already_set();
    Py_XSETREF(cells[i], value);
  }
  return out;
}

// Makes str objects, sharing one object per distinct text (statuses, users and most params
// repeat across runs), up to a bound so that unique texts (ids) do not grow the table.
class StrCache {
 public:
  ~StrCache() {
    for (auto& [text, object] : cache_) Py_DECREF(object);
  }
  // A new reference, or nullptr with a Python error set (invalid UTF-8 is replaced, never fatal).
  PyObject* Get(const std::string& text) {
    auto it = cache_.find(text);
    if (it != cache_.end()) {
      Py_INCREF(it->second);
      return it->second;
    }
    PyObject* s = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
    if (s != nullptr && cache_.size() < kMaxEntries) {
      Py_INCREF(s);
      cache_.emplace(text, s);
    }
    return s;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::unordered_map<std::string, PyObject*> cache_;
};

PyObject* NewRef(PyObject* o) {
  Py_INCREF(o);
  return o;
}

py::array TextArray(const std::vector<std::string>& values, bool none_if_empty, bool cache = true) {
  StrCache strings;
  return ObjectArray(values.size(), [&](size_t i) -> PyObject* {
    if (none_if_empty && values[i].empty()) return NewRef(Py_None);
    if (!cache) return PyUnicode_DecodeUTF8(values[i].data(), static_cast<Py_ssize_t>(values[i].size()), "replace");
    return strings.Get(values[i]);
  });
}

// One column as (name, kind, values, mask): kind "float", "int", "bool" or "object" (the
// types docs/python.md promises for a keyed column); mask is None.
py::tuple KeyedColumn(const api::ValueColumn& c, size_t rows) {
  using V = api::ValueColumn;
  const bool numeric = c.count[V::kText] == 0 && c.count[V::kBool] == 0;
  if (numeric && c.count[V::kFloat] == 0 && c.count[V::kMissing] == 0 && c.count[V::kInt] > 0) {
    return py::make_tuple(c.name, "int", NumericArray(c.integer), py::none());
  }
  if (numeric) return py::make_tuple(c.name, "float", NumericArray(c.number), py::none());
  if (c.count[V::kBool] == static_cast<int64_t>(rows)) {
    std::vector<uint8_t> b(rows);
    for (size_t i = 0; i < rows; ++i) b[i] = c.number[i] != 0;
    return py::make_tuple(c.name, "bool", BoolArray(b), py::none());
  }
  StrCache strings;
  py::array values = ObjectArray(rows, [&](size_t i) -> PyObject* {
    switch (c.type[i]) {
      case V::kInt:
        return PyLong_FromLongLong(c.integer[i]);
      case V::kFloat:
        return PyFloat_FromDouble(c.number[i]);
      case V::kBool:
        return NewRef(c.number[i] != 0 ? Py_True : Py_False);
      case V::kText:
        return strings.Get(c.text[i]);
      default:
        return NewRef(Py_None);
    }
  });
  return py::make_tuple(c.name, "object", values, py::none());
}

// search_runs' columns: a list of (name, kind, values, mask) for read.py to make a DataFrame
// of. Kinds beyond KeyedColumn's: "datetime" (int64 ns since the epoch, NaT as INT64_MIN) and
// "Int64" (int64 values, mask True where missing).
py::list SearchColumns(const std::string& dir, const std::string& where, const std::string& sort, bool descending,
                       int64_t limit, bool include_archived, bool summaries) {
  api::RunQuery query = MakeQuery(where, sort, descending, limit, include_archived);
  ThrowIfError(api::CheckRunQuery(query), "search_runs");
  std::unique_ptr<api::Project> project = OpenProject(dir, "search_runs");
  StatusOr<api::RunTable> read = [&] {
    py::gil_scoped_release release;
    return api::ReadRunTable(*project, query, summaries);
  }();
  ThrowIfError(read.status(), "search_runs");
  const api::RunTable& table = *read;
  Warn(table.unreadable);

  const size_t rows = table.rows;
  py::list out;
  out.append(py::make_tuple("run_id", "object", TextArray(table.id, false, false), py::none()));
  out.append(py::make_tuple("run_name", "object", TextArray(table.name, true), py::none()));
  std::vector<std::string> mlflow_status(rows);
  for (size_t i = 0; i < rows; ++i) {
    const char* s = MlflowStatus(table.status[i]);
    mlflow_status[i] = s != nullptr ? s : table.status[i];
  }
  out.append(py::make_tuple("status", "object", TextArray(mlflow_status, false), py::none()));
  out.append(py::make_tuple("start_time", "datetime", NumericArray(table.start_ns), py::none()));
  out.append(py::make_tuple("end_time", "datetime", NumericArray(table.end_ns), py::none()));
  out.append(py::make_tuple("number", "int", NumericArray(table.number), py::none()));
  out.append(py::make_tuple("trail_status", "object", TextArray(table.status, false), py::none()));
  out.append(py::make_tuple("user", "object", TextArray(table.user, true), py::none()));
  out.append(py::make_tuple("duration_s", "float", NumericArray(table.duration_s), py::none()));
  std::vector<uint8_t> no_exit_code(rows);
  for (size_t i = 0; i < rows; ++i) no_exit_code[i] = table.has_exit_code[i] ? 0 : 1;
  out.append(py::make_tuple("exit_code", "Int64", NumericArray(table.exit_code), BoolArray(no_exit_code)));
  out.append(py::make_tuple("parent", "object", TextArray(table.parent, true), py::none()));
  out.append(py::make_tuple("archived", "bool", BoolArray(table.archived), py::none()));
  for (const api::ValueColumn& c : table.columns) out.append(KeyedColumn(c, rows));
  return out;
}

// What `trail ls --format json` holds of a run, as a dict (for search_runs' list form).
Json RowJson(const api::RunRow& r) {
  Json j = Json::object();
  j["id"] = r.id;
  j["number"] = r.number;
  j["name"] = r.name;
  j["status"] = r.status;
  j["user"] = r.user;
  j["started"] = r.started;
  j["duration_s"] = r.duration_s ? Json(*r.duration_s) : Json();
  j["exit_code"] = r.exit_code ? Json(*r.exit_code) : Json();
  j["parent"] = r.parent;
  j["archived"] = r.archived;
  j["params"] = r.params;
  j["metrics"] = r.metrics;
  j["tags"] = r.tags;
  j["derived"] = r.derived;
  j["context"] = r.context;
  j["model"] = r.model;
  return j;
}

py::list SearchRows(const std::string& dir, const std::string& where, const std::string& sort, bool descending,
                    int64_t limit, bool include_archived) {
  api::RunQuery query = MakeQuery(where, sort, descending, limit, include_archived);
  ThrowIfError(api::CheckRunQuery(query), "search_runs");
  std::unique_ptr<api::Project> project = OpenProject(dir, "search_runs");
  std::vector<Json> rows;
  std::vector<std::string> unreadable;
  Status status;
  {
    py::gil_scoped_release release;
    status = ForEachListed(*project, query, &unreadable, [&](const api::RunRow& row) { rows.push_back(RowJson(row)); });
  }
  ThrowIfError(status, "search_runs");
  Warn(unreadable);
  py::list out;
  for (const Json& row : rows) out.append(ToPython(row));
  return out;
}

// The run's record: the one on the runs branch, or, for a run still in progress, what is known
// of it at start (formats/live-runs.md), with status "running".
py::object GetRun(const std::string& dir, const std::string& ref) {
  std::unique_ptr<api::Project> project = OpenProject(dir, "get_run");
  StatusOr<Json> record = [&]() -> StatusOr<Json> {
    py::gil_scoped_release release;
    StatusOr<api::StoredRun> stored = api::LoadRun(*project, ref);
    if (stored.ok()) return std::move(stored->record);
    if (stored.status().code() != Code::kNotFound) return stored.status();
    StatusOr<Json> live = api::LoadLiveRun(*project, ref);
    if (!live.ok()) return stored.status();  // NotFound names the run as asked for
    (*live)["status"] = "running";
    return live;
  }();
  ThrowIfError(record.status(), "get_run");
  return ToPython(*record);
}

// One metric's whole series as (step int64, time float64 unix seconds, value float64) arrays;
// of a run in progress, the points written so far. A metric the run never reported gives empty
// arrays, as MLflow gives an empty history.
py::tuple MetricHistory(const std::string& dir, const std::string& ref, const std::string& key) {
  std::unique_ptr<api::Project> project = OpenProject(dir, "get_metric_history");
  std::shared_ptr<const api::Series> series;
  Status status = [&]() -> Status {
    py::gil_scoped_release release;
    StatusOr<api::StoredRun> run = api::LoadRun(*project, ref);
    if (!run.ok()) {
      StatusOr<Json> live = run.status().code() == Code::kNotFound ? api::LoadLiveRun(*project, ref) : run.status();
      if (!live.ok()) return run.status();  // NotFound names the run as asked for
      api::LiveCursor cursor;
      TRAIL_ASSIGN_OR_RETURN(api::LivePoints points,
                             api::ReadLivePoints(*project, live->value("id", std::string()), &cursor));
      auto it = points.metrics.find(key);
      series = std::make_shared<api::Series>(it != points.metrics.end() ? std::move(it->second) : api::Series());
      return Status::Ok();
    }
    StatusOr<std::shared_ptr<const api::Series>> loaded = api::LoadSeries(*project, *run, key);
    if (loaded.ok()) {
      series = std::move(*loaded);
      return Status::Ok();
    }
    const Json* summary = nullptr;
    if (auto m = run->record.find("metrics"); m != run->record.end() && m->is_object()) {
      if (auto s = m->find("summary"); s != m->end() && s->is_object()) summary = &*s;
    }
    if (loaded.status().code() == Code::kNotFound && (summary == nullptr || !summary->contains(key))) {
      series = std::make_shared<api::Series>();
      return Status::Ok();
    }
    return loaded.status();
  }();
  ThrowIfError(status, "get_metric_history");
  return py::make_tuple(NumericArray(series->step), NumericArray(series->time), NumericArray(series->value));
}

// Every key the project's runs use: {"params": {key: runs}, "metrics": ..., "tags", "derived",
// "context", "model"}.
py::dict RunKeys(const std::string& dir) {
  std::unique_ptr<api::Project> project = OpenProject(dir, "list_run_keys");
  StatusOr<api::RunKeys> keys = [&] {
    py::gil_scoped_release release;
    return api::ListRunKeys(*project);
  }();
  ThrowIfError(keys.status(), "list_run_keys");
  py::dict out;
  auto group = [&](const char* name, const std::vector<api::RunKey>& list) {
    py::dict d;
    for (const auto& k : list) d[py::str(k.key)] = k.runs;
    out[name] = d;
  };
  group("params", keys->params);
  group("metrics", keys->metrics);
  group("tags", keys->tags);
  group("derived", keys->derived);
  group("context", keys->context);
  group("model", keys->model);
  return out;
}

}  // namespace

void RegisterRead(py::module_& m) {
  m.def("_search_columns", &SearchColumns, py::arg("dir"), py::arg("where"), py::arg("sort"), py::arg("descending"),
        py::arg("limit"), py::arg("include_archived"), py::arg("summaries"));
  m.def("_search_rows", &SearchRows, py::arg("dir"), py::arg("where"), py::arg("sort"), py::arg("descending"),
        py::arg("limit"), py::arg("include_archived"));
  m.def("_get_run", &GetRun, py::arg("dir"), py::arg("ref"));
  m.def("_metric_history", &MetricHistory, py::arg("dir"), py::arg("ref"), py::arg("key"));
  m.def("_run_keys", &RunKeys, py::arg("dir"));
}

}  // namespace trail::python
