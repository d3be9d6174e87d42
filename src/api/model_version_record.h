// A registered model version read as a run record would be: `{id, artifacts, model, version}`, its files primary
// first, so that restoring and reading them reuses the run paths (`trail get model:...`, `trail
// model inspect|diff model:...`).
#pragma once

#include <string>

#include "project/project.h"
#include "trail/json.h"
#include "trail/status.h"

namespace trail::api {

// `ref_text`: "NAME", "NAME:N" or "NAME@ALIAS" (without the "model:" prefix). `id` is "NAME-vN";
// `model` and `version` its name and number.
StatusOr<Json> LoadModelVersionRecord(trail::Project& project, const std::string& ref_text);

}  // namespace trail::api
