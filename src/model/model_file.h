// Opening a model file: detect its format, read what it says about itself (ModelInfo), and stream
// any tensor's values on demand. Model files are untrusted input: every reader bounds-checks every
// offset and size against the file before using it, never allocates what a header claims (reads
// go through fixed-size buffers), never executes anything from the file (a pickle's code-calling
// opcodes are refused), and turns a malformed, truncated or hostile file into a Corrupt or
// InvalidArgument status naming the file. Memory stays bounded whatever the file's size: a 10 GB
// checkpoint is inspected in under 100 MB.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "model/model_info.h"
#include "trail/status.h"

namespace trail::model {

// The values of one tensor, in C (row-major) order as little-endian bytes of its dtype,
// whatever order or byte order the file stores them in.
class ValueStream {
 public:
  virtual ~ValueStream() = default;
  // Copies up to `capacity` bytes into `buf`; returns how many, 0 at the end. A file that ends
  // before the tensor does is Corrupt. Reads may return less than asked before the end.
  virtual StatusOr<size_t> Read(char* buf, size_t capacity) = 0;
};

// An open model. Holds only the file handles and the ModelInfo; values are read on demand.
class ModelFile {
 public:
  virtual ~ModelFile() = default;
  const ModelInfo& info() const { return info_; }
  ModelInfo& mutable_info() { return info_; }
  // Streams the values of info().tensors[index]. FailedPrecondition for a kOther tensor; the
  // stream yields exactly tensors[index].elements * DTypeSize(dtype) bytes.
  virtual StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) = 0;

 protected:
  ModelInfo info_;
};

// What a path holds, decided from its name and first bytes without reading the whole file.
// A TensorFlow checkpoint is named by its prefix ("model.ckpt") or any of its files
// ("model.ckpt.index", "model.ckpt.data-00000-of-00001"); a SavedModel by its folder.
// Returns the ModelInfo::format string, or "" when the path is not a model trail reads.
std::string DetectModelFormat(const std::string& path);

// Opens `path` (a file, a checkpoint prefix or a SavedModel folder) as DetectModelFormat decides.
// NotFound when nothing is there; InvalidArgument "PATH: not a model file trail reads (...)" when
// the format is unknown; Corrupt naming the file and the problem when it is malformed.
StatusOr<std::unique_ptr<ModelFile>> OpenModel(const std::string& path);

}  // namespace trail::model
