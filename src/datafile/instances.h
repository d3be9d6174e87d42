// How many instances (examples, rows, records) a data file holds: the "data" facts of a run
// (`trail run --data train=PATH`). docs/formats/data-snapshots.md gives the rule per format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "datafile/format.h"
#include "trail/status.h"

namespace trail::datafile {

// One pass at most, in bounded memory: text formats are streamed in blocks; npy, npz and
// Parquet are answered from their headers; TFRecord seeks from frame to frame. nullopt for
// kOther (unknown, not an error). Malformed input is Corrupt (or InvalidArgument for a valid
// file trail cannot read, such as an encrypted Parquet footer), in one line naming the file.
StatusOr<std::optional<uint64_t>> CountInstances(const std::string& path, DataFormat format);

}  // namespace trail::datafile
