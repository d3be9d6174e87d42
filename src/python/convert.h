// Python values <-> trail's Json, and trail::Status -> Python exceptions.
//
// The binding refuses values of the wrong type at the call (TypeError naming
// the key and the type), so nothing the library is handed can fail at commit.
// Every function here must be called with the GIL held.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <string_view>

#include "trail/json.h"
#include "trail/status.h"

namespace trail::python {

namespace py = pybind11;

// trail.TrailError, created by the module at import.
PyObject* TrailErrorType();
void SetTrailErrorType(PyObject* type);

// Raises the Python exception that matches `status` (ValueError for
// InvalidArgument, FileNotFoundError for NotFound, TrailError otherwise) with
// "<what>: <message>" as its one-line message. `status` must not be ok.
[[noreturn]] void ThrowStatus(const Status& status, std::string_view what);
inline void ThrowIfError(const Status& status, std::string_view what) {
  if (!status.ok()) ThrowStatus(status, what);
}

// The name of a Python object's type, for messages ("list", "numpy.ndarray").
std::string TypeName(PyObject* value);

// A metric value: float, int, bool, or anything with __float__ / __index__
// that is not a string or bytes (numpy scalars, 0-d tensors). nullopt with a
// Python TypeError set otherwise.
std::optional<double> MetricValue(PyObject* value, std::string_view key, std::string_view what = "log_metric");
// A step: None -> nullopt in *step, an int (or __index__) -> its value.
// Returns false with a Python exception set for anything else.
bool MetricStep(PyObject* value, std::optional<int64_t>* step, std::string_view what = "log_metric");
// MLflow's timestamp: None -> nullopt in *seconds; an int or float of milliseconds since 1970
// (finite, >= 0; not bool) -> Unix seconds. Returns false with a Python exception set otherwise.
bool MetricTimestamp(PyObject* value, std::optional<double>* seconds, std::string_view what = "log_metric");
// A key: str -> its UTF-8 bytes (valid as long as `key` lives). nullopt with
// a TypeError set for anything else.
std::optional<std::string_view> KeyString(PyObject* key, std::string_view what);

// A param or tag value: bool, int (64 bits), float, str, or a numpy-like
// scalar (__index__ -> int, __float__ -> float). Throws TypeError naming `key`.
Json ScalarValue(py::handle value, std::string_view what, std::string_view key);
// A dict (or any mapping with items()) of str -> scalar, each checked by
// ScalarValue. None is an empty object. Tags are scalars too: the library
// writes a non-string tag as text.
Json ScalarsObject(py::handle mapping, std::string_view what);

// Json -> Python (dicts keep their order).
py::object ToPython(const Json& value);

}  // namespace trail::python
