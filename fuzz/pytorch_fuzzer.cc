// Fuzzes the PyTorch reader (model/pytorch.cc) and its pickle reader (model/pickle_reader.h),
// which executes nothing: the input runs as a pickle on its own, as a whole file (a torch.save
// zip, or not), as the data.pkl of a torch.save zip written around it with one storage, and as
// the code/__torch__.py of a TorchScript archive (model/torchscript_code.h) whose fixed data.pkl
// holds a module `__torch__.M` with a tensor `w` and a submodule `sub` with a tensor `x`.
//
// Checks, beyond "never crashes" (and, under the sanitizers, never reads out of bounds or leaks):
//   - A pickle is either a tree whose root is a node, or an error that is Corrupt or
//     InvalidArgument (a refused call) and names the input.
//   - Opening a file gives a model whose tensors' values stream to exactly their size, or an
//     error that is Corrupt or InvalidArgument and names the file.
//   - The TorchScript archive always opens as `torchscript`, listing at most `w` and `sub.x`
//     (which of them the code declares), whatever the code says: it is only ever read as text.
#include <zip.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

// A stored (uncompressed) torch.save zip: archive/data.pkl = `pickle`, archive/data/0 = 64 bytes;
// with `code`, a TorchScript archive whose archive/code/__torch__.py holds it.
void WriteTorchZip(std::string_view pickle, const std::string_view* code = nullptr) {
  static const char kStorage[64] = {1, 2, 3, 4, 5, 6, 7, 8};
  int error = 0;
  zip_t* z = zip_open(ScratchPath().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  FUZZ_CHECK(z != nullptr, "cannot create the zip");
  std::vector<std::pair<const char*, std::string_view>> members = {
      {"archive/data.pkl", pickle}, {"archive/data/0", std::string_view(kStorage, 64)}, {"archive/version", "3\n"}};
  if (code != nullptr) members.emplace_back("archive/code/__torch__.py", *code);
  for (const auto& [name, bytes] : members) {
    zip_source_t* src = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    FUZZ_CHECK(src != nullptr, "zip_source_buffer");
    const zip_int64_t index = zip_file_add(z, name, src, ZIP_FL_OVERWRITE);
    FUZZ_CHECK(index >= 0, "zip_file_add");
    zip_set_file_compression(z, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  FUZZ_CHECK(zip_close(z) == 0, "zip_close");
}

// data.pkl of a TorchScript module __torch__.M {w: float32[4], sub: __torch__.M {x: float32[4]}}.
constexpr std::string_view kScriptPickle(
    "\x80\x02"
    "c__torch__\nM\n)\x81}(X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00"
    "storagectorch\nFloatStorage\nX\x01\x00\x00\x00"
    "0X\x03\x00\x00\x00"
    "cpuK\x10tQK\x00K\x04\x85K\x01\x85\x89"
    "ccollections\nOrderedDict\n)RtRX\x03\x00\x00\x00subc__torch__\nM\n)\x81}(X\x01\x00\x00\x00x"
    "ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00"
    "\x00\x00"
    "0X\x03\x00\x00\x00"
    "cpuK\x10tQK\x00K\x04\x85K\x01\x85\x89"
    "ccollections\nOrderedDict\n)RtRubub.",
    307);

void CheckTorchScript(std::string_view code) {
  WriteTorchZip(kScriptPickle, &code);
  auto model = model::OpenPytorch(ScratchPath());
  FUZZ_CHECK(model.ok(), "the TorchScript archive does not open: " + model.status().message());
  const model::ModelInfo& info = (*model)->info();
  FUZZ_CHECK(info.format == "torchscript", "format is " + info.format);
  for (const model::TensorInfo& t : info.tensors) {
    FUZZ_CHECK(t.name == "w" || t.name == "sub.x", "listed a tensor named " + Escaped(t.name));
  }
  FUZZ_CHECK(info.tensors.size() <= 2, "more than two tensors");
  FUZZ_CHECK(model::ComputeChecksums(**model).ok(), "checksums fail");
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
  fuzz::CheckTorchScript(input);
  return 0;
}
