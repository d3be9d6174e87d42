// The run this Python process logs to: one per process, like MLflow's active
// run. The Python package (python/trail/__init__.py) decides when it starts,
// joins or ends; the logging functions only read it.
//
// Every function here must be called with the GIL held; the GIL is what makes
// the slot itself thread-safe (api::Session is thread-safe on its own).
#pragma once

#include <Python.h>

#include <memory>

#include "trail/session.h"

namespace trail::python {

// The current run, or nullptr.
api::Session* CurrentRun();
// The current run; with none, asks the package for one (trail._auto_run():
// joins the `trail run` this process runs under, or starts a run that ends at
// exit). nullptr with a Python exception set when that fails.
api::Session* CurrentRunOrStart();
// A reference that keeps the run alive while the GIL is released.
std::shared_ptr<api::Session> CurrentRunShared();

void SetCurrentRun(std::unique_ptr<api::Session> run);
// Forgets the run (it must already be ended); metric key ids are per run.
void ClearCurrentRun();
// Nested runs (MLflow's start_run(nested=True)): ParkCurrentRun sets the current run aside, so
// that a child run can be current; UnparkRun makes the last one parked current again (false
// when none is parked). A parked run keeps flushing; it is the package's to end.
void ParkCurrentRun();
bool UnparkRun();
// After fork(), in the child: the parent's run (and any parked) is neither flushed nor
// finalized from here, and never destroyed (its flush thread does not exist
// in the child, so its destructor must not run).
void AbandonCurrentRunInChild();

// Logs one point, interning `key` (a str) into the run's key ids on first use
// so later calls skip the key check; a point with its own `time` (Unix seconds)
// always takes the checked call. Returns false with a Python exception set.
bool LogMetricPoint(api::Session* run, PyObject* key, double value, std::optional<int64_t> step,
                    std::optional<double> time = std::nullopt);

}  // namespace trail::python
