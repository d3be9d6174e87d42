// Which of a run's stored artifacts a model version holds (docs/models.md, "The registry"): the
// ones asked for, each with the files it cannot be loaded without, so that `trail get model:`
// restores something its framework can open.
//
// Companions, found by name among the run's own artifacts (nothing is read from the store):
// - a TensorFlow checkpoint (`P.index`, `P.data-NNNNN-of-NNNNN`, `P.meta`): every file of prefix
//   P, and a `checkpoint` state file in the same folder; its primary file is `P.index`;
// - a SavedModel stored as files (`saved_model.pb` or `.pbtxt`): `variables/`, `assets/`,
//   `assets.extra/`, `fingerprint.pb` and `keras_metadata.pb` beside it (a SavedModel stored as
//   one folder artifact is one entry already);
// - an ONNX model `M.onnx`: external-data files beside it named `M.onnx.*`, `M.onnx_*`,
//   `M.data` or `M_data` (other names: name them too).
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "trail/status.h"

namespace trail::registry {

// The artifact entries (`path`, `role`, `type`, `size`, `files`, `oid`) of `run_record` that
// `wanted` names (each by path, file name or role), with their companions, primary first and
// without duplicates. Empty `wanted`: the run's one model artifact (any role but `other`;
// the files of one checkpoint count as one). NotFound for a name no artifact has or a run with no
// model artifact; FailedPrecondition for a name or default that is ambiguous (the message lists
// the choices) or a file recorded without its content; Corrupt for a malformed artifact list.
StatusOr<Json> PickVersionFiles(const Json& run_record, const std::vector<std::string>& wanted);

}  // namespace trail::registry
