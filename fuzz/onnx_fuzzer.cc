// Fuzzes the ONNX reader (model/onnx.cc): the input is written to a scratch file and opened as
// a ModelProto, walked in the file with bounded reads.
//
// Checks, beyond "never crashes":
//   - An error is Corrupt, InvalidArgument (external data outside the folder) or NotFound (an
//     external file missing) and names the file.
//   - An opened model's tensors have bytes = elements * dtype size, and their values stream to
//     exactly that size or fail with Corrupt.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "model/model_file.h"
#include "model/readers.h"
#include "model/values.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string& path = fuzz::ScratchPath();
  fuzz::WriteScratch(input);
  auto model = model::OpenOnnx(path);
  if (!model.ok()) {
    const Status& s = model.status();
    FUZZ_CHECK(s.code() == Code::kCorrupt || s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound,
               "error is " + s.message() + "\n  input: " + fuzz::Escaped(input));
    FUZZ_CHECK(s.message().starts_with(path + ":"), "error does not name the file: " + fuzz::Escaped(s.message()));
    return 0;
  }
  for (const model::TensorInfo& t : (*model)->info().tensors) {
    FUZZ_CHECK(t.bytes == t.elements * model::DTypeSize(t.dtype), "bytes disagree with the shape of " + t.name);
  }
  Status s = model::ComputeChecksums(**model);
  if (!s.ok()) FUZZ_CHECK(s.code() == Code::kCorrupt, "checksum error is " + s.message());
  return 0;
}
