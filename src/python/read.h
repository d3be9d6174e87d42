// The read API's C++ half (trail.search_runs, get_run, get_metric_history, list_run_keys; the
// Python half is python/trail/read.py): the same listing as `trail ls` (api::ForEachRun), a
// record (api::LoadRun) and a series (api::LoadSeries), handed to Python as numpy arrays and
// dicts. Each call opens the project it is given and closes it again.
#pragma once

#include <pybind11/pybind11.h>

namespace trail::python {

// Adds _search_columns, _search_rows, _get_run, _metric_history and _run_keys to `m`.
void RegisterRead(pybind11::module_& m);

}  // namespace trail::python
