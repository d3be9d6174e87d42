// Fuzzes the PyTorch reader (model/pytorch.cc) and its pickle reader (model/pickle_reader.h),
// which executes nothing: the input runs as a pickle on its own, as a whole file (a torch.save
// zip, or not), and as the data.pkl of a torch.save zip written around it with one storage.
//
// Checks, beyond "never crashes" (and, under the sanitizers, never reads out of bounds or leaks):
//   - A pickle is either a tree whose root is a node, or an error that is Corrupt or
//     InvalidArgument (a refused call) and names the input.
//   - Opening a file gives a model whose tensors' values stream to exactly their size, or an
//     error that is Corrupt or InvalidArgument and names the file.
#include <zip.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "model/model_file.h"
#include "model/pickle_reader.h"
#include "model/pytorch_walk.h"
#include "model/readers.h"
#include "model/values.h"

namespace trail::fuzz {
namespace {

void CheckError(const Status& s, const std::string& name, std::string_view input) {
  FUZZ_CHECK(s.code() == Code::kCorrupt || s.code() == Code::kInvalidArgument,
             "error is " + s.message() + "\n  input: " + Escaped(input));
  FUZZ_CHECK(s.message().starts_with(name + ":"), "error does not name the input: " + Escaped(s.message()));
}

void CheckOpen(std::string_view input) {
  auto model = model::OpenPytorch(ScratchPath());
  if (!model.ok()) return CheckError(model.status(), ScratchPath(), input);
  for (const model::TensorInfo& t : (*model)->info().tensors) {
    FUZZ_CHECK(t.dtype == model::DType::kOther || t.bytes == t.elements * model::DTypeSize(t.dtype),
               "bytes disagree with the shape of " + t.name);
  }
  Status s = model::ComputeChecksums(**model);
  if (!s.ok()) FUZZ_CHECK(s.code() == Code::kCorrupt, "checksum error is " + s.message());
}

// A stored (uncompressed) torch.save zip: archive/data.pkl = `pickle`, archive/data/0 = 64 bytes.
void WriteTorchZip(std::string_view pickle) {
  static const char kStorage[64] = {1, 2, 3, 4, 5, 6, 7, 8};
  int error = 0;
  zip_t* z = zip_open(ScratchPath().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  FUZZ_CHECK(z != nullptr, "cannot create the zip");
  const std::pair<const char*, std::string_view> members[] = {
      {"archive/data.pkl", pickle}, {"archive/data/0", std::string_view(kStorage, 64)}, {"archive/version", "3\n"}};
  for (const auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    FUZZ_CHECK(src != nullptr, "zip_source_buffer");
    const zip_int64_t index = zip_file_add(z, name, src, ZIP_FL_OVERWRITE);
    FUZZ_CHECK(index >= 0, "zip_file_add");
    zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  FUZZ_CHECK(zip_close(z) == 0, "zip_close");
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  auto tree = model::ParsePickle(input, "data.pkl");
  if (tree.ok()) {
    FUZZ_CHECK(tree->root < tree->nodes.size(), "root is not a node");
    auto walk = model::WalkPickle(*tree, "data.pkl");
    if (!walk.ok()) fuzz::CheckError(walk.status(), "data.pkl", input);
  } else {
    fuzz::CheckError(tree.status(), "data.pkl", input);
  }

  fuzz::WriteScratch(input);
  fuzz::CheckOpen(input);
  fuzz::WriteTorchZip(input);
  fuzz::CheckOpen(input);
  return 0;
}
