// Where a run's params come from, lowest precedence first:
//   1. params.yaml / params.json in the working directory (DVC's convention),
//      nested keys flattened with dots ("train.lr"), over the other params files the stages of
//      dvc.yaml list (dvc_params.h);
//   2. the command's own long options: --lr 0.01, --lr=0.01, --flag (true);
//   3. -p key=value given to `trail run`.
// Values are typed: int, float, bool or string.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "trail/status.h"

namespace trail::record {

// Long options found in argv[1..] of the training command.
Json ParamsFromArgs(const std::vector<std::string>& argv);
// Nested maps flattened into `out` with dotted keys (`{train: {lr: 1}}` -> `train.lr`), as
// params files and `dvc params diff` name them; lists and scalars are values.
void FlattenParams(const Json& v, const std::string& prefix, Json& out);
// "key=value" strings from -p / --tag; InvalidArgument naming the bad one.
StatusOr<Json> ParseAssignments(const std::vector<std::string>& items, const char* flag, bool typed);
// Flattened params of params.yaml or params.json in `dir` (empty object if neither exists), and
// of the params files dvc.yaml lists (dvc_params.h); each file at most kMaxParamsFileBytes.
// A malformed file is an error naming it: params are too important to guess.
StatusOr<Json> ParamsFromFiles(const std::string& dir);
// Merges `over` onto `base` (later wins), keeping base's key order for old keys.
void MergeInto(Json& base, const Json& over);
// Replaces the value of every secret-named param (IsSecretName: db_password,
// api_key, HF_TOKEN) with kMaskedValue, wherever the params came from. A
// boolean stays: it says whether, never what.
void MaskSecretParams(Json& params);

}  // namespace trail::record
