// trail.log_metric written against the CPython API (vectorcall), because it
// is the call a training loop makes millions of times: pybind11's argument
// machinery costs more than the logging itself.
#pragma once

#include <Python.h>

namespace trail::python {

// Adds log_metric(key, value, step=None) to `module`. Returns -1 with a
// Python exception set on failure.
int AddFastLogMetric(PyObject* module);

}  // namespace trail::python
