// The data a run trains and evaluates on (the paper's Table 3): `trail run --data
// train=PATH_OR_URL --data validation=PATH`. For every local file: its content hash (the same id
// as `trail add` gives it), size, format, number of instances and a reproducible snapshot
// (1% by default) kept in the object store; for a URL, the source alone. A path tracked with
// `trail add` takes its id from the pointer.
#pragma once

#include <string>
#include <vector>

#include "base/yaml.h"
#include "project/project.h"
#include "store/local_store.h"
#include "trail/status.h"

namespace trail {

struct DataInput {
  std::string role;    // "train", "validation", ...
  std::string source;  // a path (relative to the cwd) or a URL
  std::string label;   // recorded as the source instead of the path (the Python client's
                       // "numpy array float32 (60000, 784)", saved to a temp file first)
};

struct DataOptions {
  double fraction = 0.01;
  uint64_t seed = 0;
  std::string stratify;  // a column (CSV/TSV) or key (JSON Lines); empty: none
};

// "train=data/train.csv" -> {train, data/train.csv}; InvalidArgument naming the flag's value.
StatusOr<DataInput> ParseDataFlag(const std::string& flag);

// Builds the record's `data:` list, storing snapshots in `store` (flushed). Fails, before
// the run starts, on a missing file, an unreadable format or an unknown stratify column.
StatusOr<Json> RecordDataInputs(const Project& project, store::LocalStore& store, const std::vector<DataInput>& inputs,
                                const DataOptions& options, const std::string& cwd);

}  // namespace trail
