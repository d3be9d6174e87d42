#include "process_run.h"

#include <string>
#include <vector>

#include "convert.h"

namespace trail::python {

namespace {

// Never destroyed: the interpreter's atexit hook ends the run, and a static
// destructor running after Python finalization must not touch Python objects.
struct Slot {
  std::shared_ptr<api::Session> run;
  PyObject* key_ids = PyDict_New();                   // str -> int: the run's ids of the metric keys seen so far
  std::vector<std::shared_ptr<api::Session>> parked;  // the parents of a nested run, innermost last
};

Slot& TheSlot() {
  static Slot* slot = new Slot();
  return *slot;
}

}  // namespace

api::Session* CurrentRun() { return TheSlot().run.get(); }

std::shared_ptr<api::Session> CurrentRunShared() { return TheSlot().run; }

api::Session* CurrentRunOrStart() {
  Slot& slot = TheSlot();
  if (slot.run) return slot.run.get();
  PyObject* package = PyImport_ImportModule("trail");
  if (package == nullptr) return nullptr;
  PyObject* result = PyObject_CallMethod(package, "_auto_run", nullptr);
  Py_DECREF(package);
  if (result == nullptr) return nullptr;
  Py_DECREF(result);
  if (!slot.run) {
    PyErr_SetString(TrailErrorType(), "no active run and none could be started");
    return nullptr;
  }
  return slot.run.get();
}

void SetCurrentRun(std::unique_ptr<api::Session> run) {
  Slot& slot = TheSlot();
  PyDict_Clear(slot.key_ids);
  slot.run = std::move(run);
}

void ClearCurrentRun() {
  Slot& slot = TheSlot();
  PyDict_Clear(slot.key_ids);
  slot.run.reset();
}

void ParkCurrentRun() {
  Slot& slot = TheSlot();
  PyDict_Clear(slot.key_ids);
  slot.parked.push_back(std::move(slot.run));
  slot.run.reset();
}

bool UnparkRun() {
  Slot& slot = TheSlot();
  if (slot.parked.empty()) return false;
  PyDict_Clear(slot.key_ids);
  slot.run = std::move(slot.parked.back());
  slot.parked.pop_back();
  return true;
}

void AbandonCurrentRunInChild() {
  Slot& slot = TheSlot();
  for (std::shared_ptr<api::Session>& parent : slot.parked) {
    if (!parent) continue;
    parent->AbandonInChild();
    new std::shared_ptr<api::Session>(std::move(parent));  // leaked on purpose, as below
  }
  slot.parked.clear();
  if (!slot.run) return;
  slot.run->AbandonInChild();
  new std::shared_ptr<api::Session>(std::move(slot.run));  // leaked on purpose: see the header
  slot.run.reset();
  PyDict_Clear(slot.key_ids);
}

bool LogMetricPoint(api::Session* run, PyObject* key, double value, std::optional<int64_t> step,
                    std::optional<double> time) {
  if (!PyUnicode_Check(key)) return KeyString(key, "log_metric").has_value();  // sets the TypeError
  if (!PyUnicode_CheckExact(key)) {
    // A str subclass may hash in Python code, which may release the GIL while `run` is held
    // by pointer: look up its plain-str copy instead.
    PyObject* plain = PyUnicode_FromObject(key);
    if (plain == nullptr) return false;
    bool ok = LogMetricPoint(run, plain, value, step, time);
    Py_DECREF(plain);
    return ok;
  }
  Slot& slot = TheSlot();
  PyObject* id = PyDict_GetItemWithError(slot.key_ids, key);  // borrowed
  if (id != nullptr && !time) {                               // a point with its own time takes the checked call
    run->LogMetricById(PyLong_AsSize_t(id), value, step);
    return true;
  }
  if (PyErr_Occurred()) return false;
  std::optional<std::string_view> name = KeyString(key, "log_metric");
  if (!name) return false;
  // The first point of a key goes through the checked call, so a bad key is
  // refused here, at the call, and never gets an id.
  Status status = run->LogMetric(*name, value, step, time);
  if (!status.ok()) {
    PyErr_SetString(status.code() == Code::kInvalidArgument ? PyExc_ValueError : TrailErrorType(),
                    ("log_metric: " + status.message()).c_str());
    return false;
  }
  PyObject* new_id = PyLong_FromSize_t(run->InternKey(*name));
  if (new_id == nullptr) return false;
  int rc = PyDict_SetItem(slot.key_ids, key, new_id);
  Py_DECREF(new_id);
  return rc == 0;
}

}  // namespace trail::python
