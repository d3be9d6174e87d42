// A run record's model artifacts: the entries of `artifacts:` that carry a `model:` summary
// (docs/models.md, "Run records"), and which of them is the run's primary model.
#pragma once

#include "base/yaml.h"

namespace trail::record {

// The artifact entry of `record` whose `model:` summary (one without `error`) counts the most
// parameters, the first of equals; nullptr when no artifact has a readable summary.
const Json* PrimaryModelArtifact(const Json& record);

}  // namespace trail::record
