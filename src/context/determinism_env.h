// The environment variables that decide whether a run can be repeated
// exactly: seeds, thread counts, device selection and the frameworks'
// determinism switches. Recorded as the run's `environment.variables` so that
// `trail reproduce` can set them again and a person can see why two runs of
// the same code differ.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/yaml.h"

namespace trail::context {

// True for a name whose value is recorded: one of the fixed names listed in
// determinism_env.cc, or a TRAIL_PARAM_* (a param the program reads).
bool IsDeterminismVariable(std::string_view name);

// name -> value of each determinism variable set in `env`, sorted by name
// (a std::map's order); the value of a secret-looking name
// (TRAIL_PARAM_DB_PASSWORD) is kMaskedValue. Values are made valid UTF-8.
// An empty object when none is set.
Json DeterminismVariables(const std::map<std::string, std::string>& env);

}  // namespace trail::context
