// An HDF5 file read through libhdf5's C API (Debian's serial libhdf5-dev), for the Keras readers:
// string attributes, a bounded walk of the groups, datasets described as tensors, and their values
// streamed by hyperslab reads of bounded size.
//
// libhdf5 runs only in an HDF5 child process (hdf5_child.h): it crashes on some crafted files, and
// Debian's serial build is not thread-safe. Open refuses (FailedPrecondition) in any other
// process, so the parent never holds libhdf5 state a fork could copy mid-call; a child is one
// thread. HDF5's own error printing is switched off; failures become Corrupt statuses naming the
// file.
//
// The file is untrusted: only hard links are followed (a soft or external link could point
// anywhere, an external link at another file), datasets whose values live outside the file
// (external storage, virtual datasets) are refused, as are datasets whose chunks are too large to
// read in bounded memory or whose declared values dwarf what the file stores (an HDF5 bomb).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model_file.h"
#include "trail/status.h"

namespace trail::model {

// The bytes one hyperslab read fills at most, and the largest chunk trail lets libhdf5 inflate
// (its chunk cache holds two such).
inline constexpr uint64_t kHdf5ReadBytes = 1 << 20;
inline constexpr uint64_t kHdf5MaxChunkBytes = 16 << 20;
// The walk's bounds: group depth, and objects visited in all.
inline constexpr int kHdf5MaxDepth = 32;
inline constexpr uint64_t kHdf5MaxObjects = 200000;
// Attributes read whole (JSON configs, name lists) are capped at this many bytes.
inline constexpr uint64_t kHdf5MaxAttributeBytes = 64 << 20;

// A dataset as a tensor: TensorInfo without a name or checksum.
struct Hdf5Dataset {
  std::string path;  // "/model_weights/dense/dense/kernel:0"
  TensorInfo tensor;
};

class Hdf5File {
 public:
  ~Hdf5File();
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;

  // Corrupt "PATH: not a readable HDF5 file" when libhdf5 cannot open it. `display` names the file
  // in errors (the .keras zip for its extracted member); empty means `path`.
  static StatusOr<std::unique_ptr<Hdf5File>> Open(const std::string& path, const std::string& display = "");

  const std::string& display() const { return display_; }

  // Whether `path` ("/model_weights") names a group reached through hard links only.
  bool HasGroup(const std::string& path);
  // A string attribute of the object at `object` (fixed or variable length, or a one-element
  // array of either); nullopt when absent, Corrupt when it is not a string or is over the cap.
  StatusOr<std::optional<std::string>> StringAttribute(const std::string& object, const std::string& name);
  // A string-array attribute, Keras-style: `name`, or when Keras split it for the object header's
  // 64 KB limit, `name0`, `name1`, ... concatenated. nullopt when absent.
  StatusOr<std::optional<std::vector<std::string>>> StringListAttribute(const std::string& object,
                                                                        const std::string& name);

  // The datasets under `group`, depth first in name order (names of digits only in numeric
  // order: Keras 3's vars/0 ... vars/10), a group's datasets before its subgroups', following hard
  // links only; bounded by kHdf5MaxDepth and kHdf5MaxObjects (Corrupt past them).
  StatusOr<std::vector<Hdf5Dataset>> ListDatasets(const std::string& group);
  // One dataset; NotFound when `path` is absent or not a dataset reached through hard links.
  StatusOr<Hdf5Dataset> Describe(const std::string& path);
  // Streams a dataset's values in C order, little-endian, `tensor.dtype` as Describe gave it.
  StatusOr<std::unique_ptr<ValueStream>> OpenValues(const Hdf5Dataset& dataset);

 private:
  Hdf5File() = default;
  int64_t file_ = -1;  // hid_t
  std::string display_;
};

}  // namespace trail::model
