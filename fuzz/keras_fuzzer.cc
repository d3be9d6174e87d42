// Fuzzes the Keras readers (model/keras_h5.cc through libhdf5, model/keras_v3.cc through libzip):
// the input is written to a scratch file and opened as an HDF5 file and as a .keras zip; what
// opens has every tensor's values streamed (checksums).
//
// Checks, beyond "never crashes":
//   - Errors are Corrupt, InvalidArgument or FailedPrecondition and name the file.
//   - An opened model's totals add up: parameters are the elements of its parameter tensors,
//     tensor_bytes the bytes of all; a tensor with a numeric dtype holds elements * size bytes.
//   - Every layer's parameters are at most the model's; streaming all values succeeds or fails
//     with Corrupt naming the file, and a success leaves a checksum on every numeric tensor.
//
// libhdf5 itself parses the HDF5 structure, and Debian's 1.10.8 crashes on some damaged files
// (corpus/keras/hdf5_heap_overread.h5: an overread in H5HG_read). It runs in forked children
// (model/hdf5_child.h): such a crash is a Corrupt error naming the file, checked like any other.
// libFuzzer's coverage counters live in the parent, so what runs in a child (hdf5_file.cc's walk)
// does not guide mutation; the replay still runs it. libhdf5 1.10 also leaks memory on some
// damaged object headers, in the children, which _exit without a leak check; the suppression
// below stays for any libhdf5 allocation in this process.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "model/readers.h"
#include "model/values.h"

namespace trail::fuzz {
namespace {

bool Expected(const Status& s) {
  return s.code() == Code::kCorrupt || s.code() == Code::kInvalidArgument || s.code() == Code::kFailedPrecondition;
}

void Check(model::ModelFileOr opened, std::string_view input, const char* reader) {
  auto note = [&](const std::string& what) {
    return std::string(reader) + ": " + what + "\n  input: " + Escaped(input.substr(0, 256));
  };
  if (!opened.ok()) {
    FUZZ_CHECK(Expected(opened.status()), note("error is " + opened.status().message()));
    FUZZ_CHECK(opened.status().message().find(ScratchPath()) != std::string::npos,
               note("error does not name the file: " + opened.status().message()));
    return;
  }
  model::ModelFile& file = **opened;
  const model::ModelInfo& info = file.info();
  uint64_t parameters = 0, bytes = 0;
  for (const model::TensorInfo& t : info.tensors) {
    if (t.is_parameter) parameters += t.elements;
    bytes += t.bytes;
    const size_t width = model::DTypeSize(t.dtype);
    if (width != 0) FUZZ_CHECK(t.bytes == t.elements * width, note(t.name + ": bytes disagree with the shape"));
  }
  FUZZ_CHECK(parameters == info.parameters, note("parameters do not add up"));
  FUZZ_CHECK(bytes == info.tensor_bytes, note("tensor_bytes do not add up"));
  for (const model::Layer& layer : info.layers) {
    FUZZ_CHECK(layer.parameters <= info.parameters, note("layer " + layer.name + " has more parameters than all"));
  }
  const Status sums = model::ComputeChecksums(file);
  if (!sums.ok()) {
    FUZZ_CHECK(sums.code() == Code::kCorrupt, note("streaming failed with " + sums.message()));
    return;
  }
  for (const model::TensorInfo& t : info.tensors) {
    FUZZ_CHECK(model::DTypeSize(t.dtype) == 0 || t.checksum.size() == 32, note(t.name + " has no checksum"));
  }
}

}  // namespace
}  // namespace trail::fuzz

// Read by LeakSanitizer at start-up (sanitizer builds only; an unused symbol otherwise).
extern "C" const char* __lsan_default_suppressions() { return "leak:libhdf5\n"; }

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::WriteScratch(input);
  fuzz::Check(model::OpenKerasH5(fuzz::ScratchPath()), input, "OpenKerasH5");
  fuzz::Check(model::OpenKerasV3(fuzz::ScratchPath()), input, "OpenKerasV3");
  return 0;
}
