// What is computed from tensor values, the same for every format: element conversion to double,
// checksums (ModelInfo tensors' `checksum`), and reading a whole stream in fixed-size chunks.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "model/model_file.h"
#include "trail/status.h"

namespace trail::model {

// Bytes per chunk when streaming values: bounded memory whatever the tensor's size.
inline constexpr size_t kValueChunkBytes = 1 << 20;

// Converts `count` little-endian elements of `dtype` at `bytes` to doubles (bool as 0/1, float16
// and bfloat16 widened exactly, complex as their real part). `dtype` must not be kOther.
void ToDoubles(DType dtype, const char* bytes, size_t count, double* out);

// Streams tensor `index` of `file` in chunks of whole elements; `sink` gets each chunk's raw bytes
// (a multiple of DTypeSize). Stops at the first error from the stream or the sink.
Status ForEachChunk(ModelFile& file, size_t index, const std::function<Status(std::string_view raw)>& sink);

// Fills `checksum` of every tensor that has values (see TensorInfo::checksum).
Status ComputeChecksums(ModelFile& file);

}  // namespace trail::model
