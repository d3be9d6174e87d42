// The `trail._trail` extension: a thin layer over api::Session (include/trail/session.h).
// The Python package (python/trail/) owns the process's run lifecycle (start,
// join, atexit, fork) and imports these functions; log_metric is in
// fast_log.cc. Errors become Python exceptions here and nowhere else.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "convert.h"
#include "fast_log.h"
#include "functions.h"
#include "process_run.h"
#include "read.h"
#include "trail/session.h"

namespace py = pybind11;

namespace trail::python {
namespace {

api::Session* RunOrStart() {
  api::Session* run = CurrentRunOrStart();
  if (run == nullptr) throw py::error_already_set();
  return run;
}

// (id, joined) of the current run, or None.
py::object Current() {
  api::Session* run = CurrentRun();
  if (run == nullptr) return py::none();
  return py::make_tuple(run->id(), run->joined());
}

void RefuseIfActive() {
  if (api::Session* run = CurrentRun()) {
    PyErr_Format(TrailErrorType(), "run %s is already active in this process; end it first (trail.end_run())",
                 run->id().c_str());
    throw py::error_already_set();
  }
}

std::string Start(py::object name, py::object params, py::object tags, std::vector<std::string> argv, std::string cwd,
                  std::string run_id, bool force, std::string parent) {
  RefuseIfActive();
  api::SessionOptions opts;
  if (!name.is_none()) {
    if (!py::isinstance<py::str>(name)) {
      throw py::type_error("start_run: name is " + TypeName(name.ptr()) + "; names are str");
    }
    opts.name = name.cast<std::string>();
  }
  opts.params = ScalarsObject(params, "start_run params");
  opts.tags = ScalarsObject(tags, "start_run tags");
  opts.argv = std::move(argv);
  opts.cwd = std::move(cwd);
  opts.resume = std::move(run_id);
  opts.force = force;
  opts.parent = std::move(parent);
  StatusOr<std::unique_ptr<api::Session>> run = [&] {
    py::gil_scoped_release release;  // snapshot and context capture take a while
    return api::Session::Start(opts);
  }();
  ThrowIfError(run.status(), "start_run");
  std::string id = (*run)->id();
  SetCurrentRun(std::move(*run));
  return id;
}

// The active run's last step before this attempt when it was resumed (-1: none), else None.
py::object ResumeStep() {
  api::Session* run = CurrentRun();
  if (run == nullptr || !run->resume_step()) return py::none();
  return py::int_(*run->resume_step());
}

// Joins the `trail run` this process runs under; None when there is none.
py::object Join() {
  RefuseIfActive();
  StatusOr<std::unique_ptr<api::Session>> run = [] {
    py::gil_scoped_release release;
    return api::Session::Join();
  }();
  if (!run.ok() && run.status().code() == Code::kNotFound) return py::none();
  ThrowIfError(run.status(), "trail");
  std::string id = (*run)->id();
  SetCurrentRun(std::move(*run));
  return py::str(id);
}

// Ends the current run; the record of a started run as a dict, {} for a
// joined one, None when there was no run.
py::object End(const std::string& status) {
  std::shared_ptr<api::Session> run = CurrentRunShared();
  if (!run) return py::none();
  StatusOr<Json> record = [&] {
    py::gil_scoped_release release;  // finalizing commits to Git
    return run->End(status);
  }();
  if (CurrentRunShared() == run) ClearCurrentRun();
  {
    // The last reference may be ours: destroy the session (it joins its flush
    // thread) without holding the GIL.
    py::gil_scoped_release release;
    run.reset();
  }
  ThrowIfError(record.status(), "end_run");
  return ToPython(*record);
}

void Flush() {
  std::shared_ptr<api::Session> run = CurrentRunShared();
  if (!run) return;
  Status status;
  {
    py::gil_scoped_release release;
    status = run->Flush();
  }
  ThrowIfError(status, "flush");
}

void LogMetrics(py::object metrics, py::object step, py::object timestamp) {
  if (!PyDict_Check(metrics.ptr()) && !py::hasattr(metrics, "items")) {
    throw py::type_error("log_metrics: expected a dict of name -> number, got " + TypeName(metrics.ptr()));
  }
  std::optional<int64_t> s;
  if (!MetricStep(step.ptr(), &s, "log_metrics")) throw py::error_already_set();
  std::optional<double> time;
  if (!MetricTimestamp(timestamp.ptr(), &time, "log_metrics")) throw py::error_already_set();
  // Every value is checked before any is logged: a bad one logs nothing.
  std::vector<std::pair<py::object, double>> points;
  for (py::handle item : metrics.attr("items")()) {
    py::sequence pair = py::reinterpret_borrow<py::sequence>(item);
    py::object key = pair[0];
    if (!PyUnicode_Check(key.ptr())) {
      throw py::type_error("log_metrics: key " + py::repr(key).cast<std::string>() + " is " + TypeName(key.ptr()) +
                           "; keys are str");
    }
    std::optional<double> value = MetricValue(pair[1].ptr(), key.cast<std::string>(), "log_metrics");
    if (!value) throw py::error_already_set();
    points.emplace_back(key, *value);
  }
  api::Session* run = RunOrStart();
  for (auto& [key, value] : points) {
    if (!LogMetricPoint(run, key.ptr(), value, s, time)) throw py::error_already_set();
  }
}

void LogParams(py::object params, const std::string& what) {
  Json object = ScalarsObject(params, what);
  ThrowIfError(RunOrStart()->LogParams(object), what);
}

void LogParam(py::object key, py::object value) {
  if (!py::isinstance<py::str>(key)) {
    throw py::type_error("log_param: key is " + TypeName(key.ptr()) + "; keys are str");
  }
  Json object = Json::object();
  std::string k = key.cast<std::string>();
  object[k] = ScalarValue(value, "log_param", k);
  ThrowIfError(RunOrStart()->LogParams(object), "log_param");
}

void SetTags(py::object tags, const std::string& what) {
  Json object = ScalarsObject(tags, what);
  ThrowIfError(RunOrStart()->SetTags(object), what);
}

void SetTag(py::object key, py::object value) {
  if (!py::isinstance<py::str>(key)) {
    throw py::type_error("set_tag: key is " + TypeName(key.ptr()) + "; keys are str");
  }
  Json object = Json::object();
  std::string k = key.cast<std::string>();
  object[k] = ScalarValue(value, "set_tag", k);
  ThrowIfError(RunOrStart()->SetTags(object), "set_tag");
}

void DeleteTag(py::object key) {
  if (!py::isinstance<py::str>(key)) {
    throw py::type_error("delete_tag: key is " + TypeName(key.ptr()) + "; keys are str");
  }
  ThrowIfError(RunOrStart()->DeleteTag(key.cast<std::string>()), "delete_tag");
}

std::string Str(py::handle value, const char* what, const char* arg) {
  if (!py::isinstance<py::str>(value)) {
    throw py::type_error(std::string(what) + ": " + arg + " is " + TypeName(value.ptr()) + "; expected str");
  }
  return value.cast<std::string>();
}

void LogFunction(py::object category, py::object name) {
  std::string c = Str(category, "log_function", "category");
  std::string n = Str(name, "log_function", "name");
  ThrowIfError(RunOrStart()->LogFunction(c, n), "log_function");
}

void SetSeed(int64_t seed) { ThrowIfError(RunOrStart()->SetSeed(seed), "seed"); }

// `path` is absolute (the package resolves it against the working directory); `name`, when not
// empty, is the relative path the artifact is recorded under (MLflow's artifact_path/file).
void LogArtifact(const std::string& path, const std::string& role, const std::string& name) {
  RunOrStart();
  std::shared_ptr<api::Session> run = CurrentRunShared();  // alive even if another thread ends it meanwhile
  Status status;
  {
    py::gil_scoped_release release;  // hashes the file
    status = run->LogArtifact(path, role, name);
  }
  ThrowIfError(status, "log_artifact " + path);
}

// `source` is absolute or a URL (the package resolves paths against the working directory).
void LogData(const std::string& role, const std::string& source, double fraction, uint64_t seed,
             const std::string& stratify, const std::string& label) {
  RunOrStart();
  std::shared_ptr<api::Session> run = CurrentRunShared();
  api::DataOptions options;
  options.fraction = fraction;
  options.seed = seed;
  options.stratify = stratify;
  Status status;
  {
    py::gil_scoped_release release;  // reads the whole file
    status = run->LogData(role, source, options, label);
  }
  ThrowIfError(status, "log_data " + role);
}

}  // namespace
}  // namespace trail::python

PYBIND11_MODULE(_trail, m) {
  using namespace trail::python;
  m.doc() = "trail's C++ library (libtrail). Use the `trail` package, not this module.";
#ifdef TRAIL_VERSION
  m.attr("__version__") = TRAIL_VERSION;
#endif

  // Never freed: it must outlive every module that holds it.
  PyObject* error = PyErr_NewExceptionWithDoc(
      "trail.TrailError", "A trail operation failed (not a trail project, Git refused, the disk is full, ...).",
      PyExc_Exception, nullptr);
  if (error == nullptr) throw py::error_already_set();
  SetTrailErrorType(error);
  m.attr("TrailError") = py::handle(error);

  if (AddFastLogMetric(m.ptr()) < 0) throw py::error_already_set();

  m.def("_start", &Start, py::arg("name"), py::arg("params"), py::arg("tags"), py::arg("argv"), py::arg("cwd"),
        py::arg("run_id") = "", py::arg("force") = false, py::arg("parent") = "");
  m.def("_resume_step", &ResumeStep);
  m.def("_join", &Join);
  m.def("_end", &End, py::arg("status") = "finished");
  m.def("_current", &Current);
  m.def("_abandon_in_child", &AbandonCurrentRunInChild);
  m.def("_park", &ParkCurrentRun);
  m.def("_unpark", &UnparkRun);
  m.def("flush", &Flush, "Writes what is buffered to disk (fsync). Also done every second and at exit.");
  m.def("log_metrics", &LogMetrics, py::arg("metrics"), py::arg("step") = py::none(), py::arg("timestamp") = py::none(),
        "log_metrics(metrics, step=None, timestamp=None): logs each name -> number of `metrics` at `step`\n"
        "(timestamp: milliseconds since 1970, MLflow's; None: now).");
  m.def(
      "log_params", [](py::object params) { LogParams(params, "log_params"); }, py::arg("params"),
      "log_params(params): records each name -> value (int, float, bool, str).");
  m.def("log_param", &LogParam, py::arg("key"), py::arg("value"),
        "log_param(key, value): records one param (int, float, bool, str).");
  m.def(
      "set_tags", [](py::object tags) { SetTags(tags, "set_tags"); }, py::arg("tags"),
      "set_tags(tags): sets each name -> value (stored as text).");
  m.def("set_tag", &SetTag, py::arg("key"), py::arg("value"), "set_tag(key, value): sets one tag.");
  m.def("delete_tag", &DeleteTag, py::arg("key"), "delete_tag(key): removes tag `key` from the run's record.");
  m.def("log_function", &LogFunction, py::arg("category"), py::arg("name"),
        "log_function(category, name): records a Table 1 function the source scan cannot see.");
  m.def("_set_seed", &SetSeed, py::arg("seed"));
  m.def("_log_artifact", &LogArtifact, py::arg("path"), py::arg("role"), py::arg("name") = "");
  m.def("_log_data", &LogData, py::arg("role"), py::arg("source"), py::arg("fraction"), py::arg("seed"),
        py::arg("stratify"), py::arg("label"));
  m.def("_functions_of", &FunctionsOf, py::arg("dotted"), py::arg("kwargs"));
  m.def("_lookup_function", &LookupFunction, py::arg("keyword"), py::arg("value"));
  m.def("_guess_artifact_role", [](const std::string& path) { return trail::api::GuessArtifactRole(path); });
  RegisterRead(m);
}
