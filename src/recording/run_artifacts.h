// A run's output files (models, checkpoints) kept in the object store: the paths named with
// `trail run --artifact PATH` and the folders configured as `artifacts:` in .trail/config.yaml.
//
// At the start, the state (size, mtime) of every file under them is written to the live
// folder; at the end, the files the run created or changed are stored and listed in the
// record's `artifacts:` as {path, role, size, oid}, with `model:` for a model file
// (model_summary.h). A SavedModel folder (one holding
// saved_model.pb) is one artifact: {path, role: saved_model, type: folder, files, size, oid},
// the oid a tree, stored whole when any file in it changed. A path named explicitly that is a single
// file is kept even when unchanged. Both steps work from the live folder, so a run recovered
// after its supervisor died keeps its artifacts too.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "recording/live_folder.h"
#include "store/local_store.h"
#include "trail/status.h"

namespace trail {

// The folders `artifacts:` in the config names (relative to the root), validated.
StatusOr<std::vector<std::string>> ConfiguredArtifactDirs(const Project& project);

// Records what is under `paths` (absolute) now, into the live folder. Paths outside the work
// tree are refused (InvalidArgument naming them).
Status RecordArtifactBaseline(const Project& project, const LiveRun& run, const std::vector<std::string>& paths);

// True for a folder holding saved_model.pb or saved_model.pbtxt.
bool IsSavedModelDir(const std::string& abs_path);

// Stores the SavedModel folder `abs_path` as a tree; returns its artifact entry, named `rel`,
// with its `model:` summary (a SavedModel that does not parse adds a warning to `warnings` when
// given). Does not flush.
StatusOr<Json> StoreSavedModel(store::LocalStore& store, const std::string& abs_path, const std::string& rel,
                               std::vector<std::string>* warnings = nullptr);

// Stores the artifacts of a finished run. Returns the record's entries; files that cannot be
// stored become warnings. `store` must stay open (holding its shared lock) until the record
// is committed, so gc cannot drop what the record is about to name.
StatusOr<Json> StoreRunArtifacts(const Project& project, const LiveRun& run, store::LocalStore& store,
                                 std::vector<std::string>* warnings);

}  // namespace trail
