#include "convert.h"

#include <cmath>
#include <limits>

namespace trail::python {

namespace {

PyObject* g_trail_error = nullptr;

bool IsTextOrBytes(PyObject* value) {
  return PyUnicode_Check(value) || PyBytes_Check(value) || PyByteArray_Check(value);
}

bool HasFloat(PyObject* value) {
  PyNumberMethods* nb = Py_TYPE(value)->tp_as_number;
  return nb != nullptr && nb->nb_float != nullptr;
}

// numpy.bool_ is neither a Python bool nor an int; it is recognised by name so
// that numpy never has to be imported.
bool IsNumpyBool(PyObject* value) {
  std::string name = TypeName(value);
  return name == "numpy.bool_" || name == "numpy.bool";
}

[[noreturn]] void ThrowType(std::string_view what, std::string_view key, PyObject* value, std::string_view expected) {
  std::string message =
      std::string(what) + ": value of '" + std::string(key) + "' is " + TypeName(value) + "; " + std::string(expected);
  throw py::type_error(message);
}

void SetError(PyObject* type, const std::string& message) { PyErr_SetString(type, message.c_str()); }

// The current Python exception's message, and the exception cleared.
std::string FetchMessage() {
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  std::string message;
  if (value != nullptr) {
    PyObject* text = PyObject_Str(value);
    if (text != nullptr) {
      const char* utf8 = PyUnicode_AsUTF8(text);
      if (utf8 != nullptr) message = utf8;
      Py_DECREF(text);
    }
    PyErr_Clear();
  }
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(traceback);
  return message;
}

}  // namespace

PyObject* TrailErrorType() { return g_trail_error; }
void SetTrailErrorType(PyObject* type) { g_trail_error = type; }

void ThrowStatus(const Status& status, std::string_view what) {
  std::string message = what.empty() ? status.message() : std::string(what) + ": " + status.message();
  switch (status.code()) {
    case Code::kInvalidArgument:
      throw py::value_error(message);
    case Code::kNotFound:
      PyErr_SetString(PyExc_FileNotFoundError, message.c_str());
      throw py::error_already_set();
    default:
      PyErr_SetString(g_trail_error != nullptr ? g_trail_error : PyExc_RuntimeError, message.c_str());
      throw py::error_already_set();
  }
}

std::string TypeName(PyObject* value) {
  PyTypeObject* type = Py_TYPE(value);
  std::string name = type->tp_name;  // "numpy.ndarray" for extension types, "list" for builtins
  if (name.find('.') == std::string::npos && !(type->tp_flags & Py_TPFLAGS_IMMUTABLETYPE)) {
    // A class defined in Python: qualify it with its module, as users write it.
    PyObject* module = PyObject_GetAttrString(reinterpret_cast<PyObject*>(type), "__module__");
    if (module != nullptr && PyUnicode_Check(module)) {
      const char* m = PyUnicode_AsUTF8(module);
      if (m != nullptr && std::string_view(m) != "builtins") name = std::string(m) + "." + name;
    }
    Py_XDECREF(module);
    PyErr_Clear();
  }
  return name;
}

std::optional<double> MetricValue(PyObject* value, std::string_view key, std::string_view what) {
  if (PyFloat_CheckExact(value)) return PyFloat_AS_DOUBLE(value);
  if (PyLong_Check(value)) {
    double d = PyLong_AsDouble(value);
    if (d == -1.0 && PyErr_Occurred()) return std::nullopt;  // OverflowError: too large for a float
    return d;
  }
  if (!IsTextOrBytes(value)) {
    if (PyFloat_Check(value) || HasFloat(value)) {
      PyObject* f = PyNumber_Float(value);
      if (f != nullptr) {
        double d = PyFloat_AsDouble(f);
        Py_DECREF(f);
        return d;
      }
      std::string why = FetchMessage();
      SetError(PyExc_TypeError, std::string(what) + ": value of '" + std::string(key) + "' (" + TypeName(value) +
                                    ") is not one number: " + why);
      return std::nullopt;
    }
    if (PyIndex_Check(value)) {
      PyObject* i = PyNumber_Index(value);
      if (i != nullptr) {
        double d = PyLong_AsDouble(i);
        Py_DECREF(i);
        if (d == -1.0 && PyErr_Occurred()) return std::nullopt;
        return d;
      }
      PyErr_Clear();
    }
  }
  SetError(PyExc_TypeError, std::string(what) + ": value of '" + std::string(key) + "' is " + TypeName(value) +
                                "; metrics are int or float");
  return std::nullopt;
}

bool MetricStep(PyObject* value, std::optional<int64_t>* step, std::string_view what) {
  if (value == nullptr || value == Py_None) {
    step->reset();
    return true;
  }
  if (PyLong_Check(value) || (!PyFloat_Check(value) && PyIndex_Check(value))) {
    PyObject* i = PyNumber_Index(value);
    if (i != nullptr) {
      int overflow = 0;
      long long s = PyLong_AsLongLongAndOverflow(i, &overflow);
      Py_DECREF(i);
      if (overflow != 0) {
        SetError(PyExc_ValueError, std::string(what) + ": step does not fit in 64 bits");
        return false;
      }
      if (s == -1 && PyErr_Occurred()) return false;
      *step = s;
      return true;
    }
    PyErr_Clear();
  }
  SetError(PyExc_TypeError, std::string(what) + ": step is " + TypeName(value) + "; steps are int or None");
  return false;
}

bool MetricTimestamp(PyObject* value, std::optional<double>* seconds, std::string_view what) {
  if (value == nullptr || value == Py_None) {
    seconds->reset();
    return true;
  }
  if (PyBool_Check(value) || !(PyLong_Check(value) || PyFloat_Check(value))) {
    SetError(PyExc_TypeError, std::string(what) + ": timestamp is " + TypeName(value) +
                                  "; timestamps are milliseconds since 1970 (int) or None");
    return false;
  }
  double ms = PyFloat_Check(value) ? PyFloat_AS_DOUBLE(value) : PyLong_AsDouble(value);
  if (ms == -1.0 && PyErr_Occurred()) return false;
  if (!std::isfinite(ms) || ms < 0) {
    SetError(PyExc_ValueError, std::string(what) + ": timestamp " + py::repr(value).cast<std::string>() +
                                   " is not a time; timestamps are milliseconds since 1970");
    return false;
  }
  *seconds = ms / 1000.0;
  return true;
}

std::optional<std::string_view> KeyString(PyObject* key, std::string_view what) {
  if (PyUnicode_Check(key)) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(key, &size);
    if (utf8 == nullptr) return std::nullopt;  // lone surrogates: UnicodeEncodeError is set
    return std::string_view(utf8, static_cast<size_t>(size));
  }
  SetError(PyExc_TypeError, std::string(what) + ": key is " + TypeName(key) + "; keys are str");
  return std::nullopt;
}

Json ScalarValue(py::handle value, std::string_view what, std::string_view key) {
  PyObject* v = value.ptr();
  if (PyBool_Check(v)) return Json(v == Py_True);
  if (PyLong_Check(v)) {
    int overflow = 0;
    long long i = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow == 0) return Json(static_cast<int64_t>(i));
    if (overflow > 0) {
      unsigned long long u = PyLong_AsUnsignedLongLong(v);
      if (!PyErr_Occurred()) return Json(static_cast<uint64_t>(u));
      PyErr_Clear();
    }
    throw py::value_error(std::string(what) + ": value of '" + std::string(key) + "' does not fit in 64 bits");
  }
  if (PyFloat_Check(v)) return Json(PyFloat_AsDouble(v));
  if (PyUnicode_Check(v)) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(v, &size);
    if (utf8 == nullptr) throw py::error_already_set();
    return Json(std::string(utf8, static_cast<size_t>(size)));
  }
  if (!IsTextOrBytes(v)) {
    if (IsNumpyBool(v)) return Json(PyObject_IsTrue(v) == 1);
    if (PyIndex_Check(v)) {
      PyObject* i = PyNumber_Index(v);
      if (i != nullptr) {
        py::object owned = py::reinterpret_steal<py::object>(i);
        return ScalarValue(owned, what, key);
      }
      PyErr_Clear();  // a float tensor: __index__ refuses, __float__ below accepts
    }
    if (HasFloat(v)) {
      PyObject* f = PyNumber_Float(v);
      if (f != nullptr) {
        double d = PyFloat_AsDouble(f);
        Py_DECREF(f);
        return Json(d);
      }
      PyErr_Clear();
    }
  }
  ThrowType(what, key, v, "values are int, float, bool or str");
}

Json ScalarsObject(py::handle mapping, std::string_view what) {
  Json out = Json::object();
  if (mapping.is_none()) return out;
  if (!PyDict_Check(mapping.ptr())) {
    // Any Mapping (e.g. argparse's vars(), a config object with items()).
    if (!py::hasattr(mapping, "items")) {
      throw py::type_error(std::string(what) + ": expected a dict, got " + TypeName(mapping.ptr()));
    }
  }
  py::object items = mapping.attr("items")();
  for (py::handle item : items) {
    py::sequence pair = py::reinterpret_borrow<py::sequence>(item);
    py::handle key = pair[0];
    if (!PyUnicode_Check(key.ptr())) {
      throw py::type_error(std::string(what) + ": key " + py::repr(key).cast<std::string>() + " is " +
                           TypeName(key.ptr()) + "; keys are str");
    }
    std::string k = key.cast<std::string>();
    out[k] = ScalarValue(pair[1], what, k);
  }
  return out;
}

py::object ToPython(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return py::none();
    case Json::value_t::boolean:
      return py::bool_(value.get<bool>());
    case Json::value_t::number_integer:
      return py::int_(value.get<int64_t>());
    case Json::value_t::number_unsigned:
      return py::int_(value.get<uint64_t>());
    case Json::value_t::number_float:
      return py::float_(value.get<double>());
    case Json::value_t::string:
      return py::str(value.get_ref<const std::string&>());
    case Json::value_t::array: {
      py::list out;
      for (const Json& item : value) out.append(ToPython(item));
      return out;
    }
    case Json::value_t::object: {
      py::dict out;
      for (const auto& [k, v] : value.items()) out[py::str(k)] = ToPython(v);
      return out;
    }
    default:
      return py::none();
  }
}

}  // namespace trail::python
