#include "fast_log.h"

#include <optional>

#include "convert.h"
#include "process_run.h"

namespace trail::python {

namespace {

PyObject* g_name_key = nullptr;
PyObject* g_name_value = nullptr;
PyObject* g_name_step = nullptr;
PyObject* g_name_timestamp = nullptr;

// Which parameter a keyword names: 0 key, 1 value, 2 step, 3 timestamp, -1 none.
int ParameterIndex(PyObject* name) {
  // Call sites' keyword names are interned, so identity nearly always decides.
  if (name == g_name_key) return 0;
  if (name == g_name_value) return 1;
  if (name == g_name_step) return 2;
  if (name == g_name_timestamp) return 3;
  if (PyUnicode_Compare(name, g_name_key) == 0) return 0;
  if (PyUnicode_Compare(name, g_name_value) == 0) return 1;
  if (PyUnicode_Compare(name, g_name_step) == 0) return 2;
  if (PyUnicode_Compare(name, g_name_timestamp) == 0) return 3;
  return -1;
}

PyObject* LogMetric(PyObject* /*self*/, PyObject* const* args, Py_ssize_t nargsf, PyObject* kwnames) {
  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  PyObject* params[4] = {nullptr, nullptr, nullptr, nullptr};
  // timestamp is keyword-only: MLflow's fourth positional parameter changed between versions.
  if (nargs > 3) {
    PyErr_Format(PyExc_TypeError, "log_metric() takes from 2 to 3 positional arguments but %zd were given", nargs);
    return nullptr;
  }
  for (Py_ssize_t i = 0; i < nargs; ++i) params[i] = args[i];
  if (kwnames != nullptr) {
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nkw; ++i) {
      PyObject* name = PyTuple_GET_ITEM(kwnames, i);
      int index = ParameterIndex(name);
      if (index < 0) {
        PyErr_Format(PyExc_TypeError, "log_metric() got an unexpected keyword argument '%U'", name);
        return nullptr;
      }
      if (params[index] != nullptr) {
        PyErr_Format(PyExc_TypeError, "log_metric() got multiple values for argument '%U'", name);
        return nullptr;
      }
      params[index] = args[nargs + i];
    }
  }
  if (params[0] == nullptr || params[1] == nullptr) {
    PyErr_SetString(PyExc_TypeError, "log_metric() missing required argument: 'key' and 'value' are required");
    return nullptr;
  }
  if (!PyUnicode_Check(params[0])) {
    PyErr_Format(PyExc_TypeError, "log_metric: key is %s; keys are str", TypeName(params[0]).c_str());
    return nullptr;
  }
  std::optional<double> value;
  if (PyFloat_CheckExact(params[1])) {
    value = PyFloat_AS_DOUBLE(params[1]);
  } else {
    Py_ssize_t size = 0;
    const char* key = PyUnicode_AsUTF8AndSize(params[0], &size);
    if (key == nullptr) return nullptr;
    value = MetricValue(params[1], std::string_view(key, static_cast<size_t>(size)));
    if (!value) return nullptr;
  }
  std::optional<int64_t> step;
  if (params[2] != nullptr && params[2] != Py_None) {
    if (PyLong_CheckExact(params[2])) {
      int overflow = 0;
      long long s = PyLong_AsLongLongAndOverflow(params[2], &overflow);
      if (overflow != 0) {
        PyErr_SetString(PyExc_ValueError, "log_metric: step does not fit in 64 bits");
        return nullptr;
      }
      step = s;
    } else if (!MetricStep(params[2], &step)) {
      return nullptr;
    }
  }
  std::optional<double> time;
  if (params[3] != nullptr && !MetricTimestamp(params[3], &time)) return nullptr;
  api::Session* run = CurrentRunOrStart();
  if (run == nullptr) return nullptr;
  if (!LogMetricPoint(run, params[0], *value, step, time)) return nullptr;
  Py_RETURN_NONE;
}

PyMethodDef g_methods[] = {
    {"log_metric", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(LogMetric)),
     METH_FASTCALL | METH_KEYWORDS,
     "log_metric(key, value, step=None, *, timestamp=None)\n--\n\n"
     "Logs one point of metric `key`. `value` is a number (int, float, a numpy scalar, a one-element\n"
     "tensor); `step` an int, or None for the metric's own count (0, 1, 2, ...); `timestamp` the point's\n"
     "time in milliseconds since 1970 (MLflow's), or None for now. Buffered in memory and\n"
     "written every second, at flush() and at exit."},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace

int AddFastLogMetric(PyObject* module) {
  g_name_key = PyUnicode_InternFromString("key");
  g_name_value = PyUnicode_InternFromString("value");
  g_name_step = PyUnicode_InternFromString("step");
  g_name_timestamp = PyUnicode_InternFromString("timestamp");
  if (g_name_key == nullptr || g_name_value == nullptr || g_name_step == nullptr || g_name_timestamp == nullptr)
    return -1;
  return PyModule_AddFunctions(module, g_methods);
}

}  // namespace trail::python
