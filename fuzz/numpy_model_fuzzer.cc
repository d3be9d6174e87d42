// Fuzzes the NumPy model readers (model/numpy.cc): the input is written to a scratch file and
// opened as a .npy file and as a .npz zip; what opens has every tensor's values streamed.
//
// Checks, beyond "never crashes":
//   - Errors are Corrupt or InvalidArgument and name the file.
//   - .npy: the reader accepts only what ParseNpyHeader accepts, with values that fit the file;
//     the tensor's shape is the header's; a numeric tensor holds
//     elements * size bytes; for a little-endian C-order array the streamed values are the
//     file's bytes after the header, exactly.
//   - .npz: totals add up; streaming succeeds or fails with Corrupt.
#include <cstdint>
#include <string>
#include <string_view>

#include "datafile/npy.h"
#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "model/readers.h"
#include "model/values.h"

namespace trail::fuzz {
namespace {

bool Expected(const Status& s) { return s.code() == Code::kCorrupt || s.code() == Code::kInvalidArgument; }

std::string Note(const std::string& what, std::string_view input) {
  return what + "\n  input: " + Escaped(input.substr(0, 256));
}

void CheckError(const Status& s, std::string_view input) {
  FUZZ_CHECK(Expected(s), Note("error is " + s.message(), input));
  FUZZ_CHECK(s.message().find(ScratchPath()) != std::string::npos,
             Note("error does not name the file: " + s.message(), input));
}

void CheckNpy(std::string_view input) {
  model::ModelFileOr opened = model::OpenNpy(ScratchPath());
  StatusOr<datafile::NpyHeader> header = datafile::ParseNpyHeader(input, ScratchPath());
  if (!opened.ok()) {
    CheckError(opened.status(), input);
    return;
  }
  FUZZ_CHECK(header.ok(), Note("opened what ParseNpyHeader refuses", input));
  const model::TensorInfo& t = (*opened)->info().tensors.at(0);
  FUZZ_CHECK(t.shape.size() == header->shape.size(), Note("rank differs from the header", input));
  for (size_t k = 0; k < t.shape.size(); ++k) {
    FUZZ_CHECK(static_cast<uint64_t>(t.shape[k]) == header->shape[k], Note("shape differs from the header", input));
  }
  const size_t width = model::DTypeSize(t.dtype);
  if (width == 0) return;
  FUZZ_CHECK(t.bytes == t.elements * width, Note("bytes disagree with the shape", input));
  FUZZ_CHECK(header->data_offset + t.bytes <= input.size(), Note("values past the end", input));
  std::string values;
  const Status s = model::ForEachChunk(**opened, 0, [&](std::string_view raw) {
    values.append(raw);
    return Status::Ok();
  });
  FUZZ_CHECK(s.ok(), Note("streaming failed: " + s.message(), input));
  const std::string descr = header->descr;
  const bool little = descr.size() > 1 && (descr[1] == '<' || descr[1] == '|');
  const bool c_order = !header->fortran_order || t.shape.size() < 2;
  if (little && c_order) {
    FUZZ_CHECK(values == input.substr(header->data_offset, t.bytes), Note("values are not the file's bytes", input));
  }
}

void CheckNpz(std::string_view input) {
  model::ModelFileOr opened = model::OpenNpz(ScratchPath());
  if (!opened.ok()) {
    CheckError(opened.status(), input);
    return;
  }
  const model::ModelInfo& info = (*opened)->info();
  uint64_t bytes = 0;
  for (const model::TensorInfo& t : info.tensors) {
    bytes += t.bytes;
    const size_t width = model::DTypeSize(t.dtype);
    if (width != 0) FUZZ_CHECK(t.bytes == t.elements * width, Note(t.name + ": bytes disagree with the shape", input));
  }
  FUZZ_CHECK(bytes == info.tensor_bytes, Note("tensor_bytes do not add up", input));
  const Status s = model::ComputeChecksums(**opened);
  FUZZ_CHECK(s.ok() || s.code() == Code::kCorrupt, Note("streaming failed with " + s.message(), input));
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  trail::fuzz::WriteScratch(input);
  trail::fuzz::CheckNpy(input);
  trail::fuzz::CheckNpz(input);
  return 0;
}
