// The arrays of a NumPy .npz file: a zip archive (np.savez stores, np.savez_compressed deflates)
// whose members are .npy files. Only the zip's central directory and the first bytes of each
// member (its .npy header) are read; a deflated member is inflated just far enough to see its
// header. ZIP64 archives (members or archives over 4 GiB, as NumPy writes them) are handled.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "datafile/input_file.h"
#include "trail/status.h"

namespace trail::datafile {

struct NpzArray {
  std::string name;  // the member name without ".npy"
  std::vector<uint64_t> shape;
};

struct NpzInfo {
  std::vector<NpzArray> arrays;  // in central-directory order, which is the order np.savez wrote
  // True if the arrays' leading dimensions differ; then instances are the first array's.
  bool leading_dims_differ = false;
};

StatusOr<NpzInfo> ReadNpzInfo(const InputFile& file);

}  // namespace trail::datafile
