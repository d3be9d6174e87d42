// Whether two model files whose bytes differ hold the same arrays: NumPy .npy and .npz (as
// np.savez stores them) are read; other formats are named as not compared yet.
#pragma once

#include <string>
#include <string_view>

#include "project/project.h"
#include "reproduce/run_comparison.h"

namespace trail::reproduce {

// Compares the arrays of two versions of the file at `path` (its extension picks the format):
// equal when every array has the same dtype, order, shape and data bytes (so NaN payloads equal
// themselves). The note says what was found: "arrays equal", "array w differs", "trail cannot
// compare .pt contents yet", or why a file could not be read. Never throws; the inputs are
// untrusted (every length is checked against the bytes there).
ContentVerdict CompareArrayFiles(const std::string& path, std::string_view a, std::string_view b);

// An ArtifactComparer that reads both artifacts (`oid`, at most 1 GiB each) from the project's
// local store and compares them with CompareArrayFiles.
ArtifactComparer StoreArtifactComparer(const Project& project);

}  // namespace trail::reproduce
