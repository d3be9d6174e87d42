// Fuzzes the TensorFlow graph readers (model/tf_graph.cc, model/tf_file_wire.cc): the input is
// read as a MetaGraphDef (.meta) and as a SavedModel's saved_model.pb (in a scratch folder with
// no variables/), each walked field by field from the file.
//
// Checks, beyond "never crashes":
//   - errors are Corrupt and name the file read;
//   - a read graph has no tensors (no variables here), framework "tensorflow", the format asked
//     for, op counts of at least 1, functions of a known kind whose spelling is an op it counted
//     or an optimizer named by a variable, and JSON that dumps.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "model/model_file.h"
#include "model/readers.h"

namespace trail::fuzz {
namespace {

void WriteFile(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write " + path);
  FUZZ_CHECK(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(), "short write");
  std::fclose(f);
}

const std::string& Folder() {
  static const std::string folder = [] {
    const std::string f = ScratchPath() + ".savedmodel";
    FUZZ_CHECK(::mkdir(f.c_str(), 0700) == 0, "cannot create the scratch folder");
    std::atexit([] {
      ::unlink((ScratchPath() + ".savedmodel/saved_model.pb").c_str());
      ::rmdir((ScratchPath() + ".savedmodel").c_str());
    });
    return f;
  }();
  return folder;
}

void Check(const model::ModelFileOr& opened, const std::string& path, const std::string& format) {
  using namespace trail::model;
  if (!opened.ok()) {
    const Status& s = opened.status();
    FUZZ_CHECK(s.code() == Code::kCorrupt, format + ": unexpected error: " + s.message());
    FUZZ_CHECK(s.message().starts_with(path + ":"), "error does not name the file: " + Escaped(s.message()));
    return;
  }
  const ModelInfo& info = (*opened)->info();
  FUZZ_CHECK(info.format == format && info.framework == "tensorflow", "wrong format or framework");
  FUZZ_CHECK(info.tensors.empty() && info.tensor_bytes == 0, "tensors without a variables bundle");
  for (const auto& [op, count] : info.op_counts) FUZZ_CHECK(count >= 1, "an op counted 0 times");
  for (const FoundFunction& f : info.functions) {
    FUZZ_CHECK(f.kind == "activation" || f.kind == "loss" || f.kind == "optimizer", "unknown kind " + f.kind);
    FUZZ_CHECK(info.op_counts.count(f.spelling) == 1 || f.where.starts_with("variable "),
               "function " + f.spelling + " from nowhere");
  }
  FUZZ_CHECK(!DumpJson(ToJson(info, true)).empty(), "no JSON");
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::WriteScratch(input);
  fuzz::Check(model::OpenTfMetaGraph(fuzz::ScratchPath()), fuzz::ScratchPath(), "tf-meta-graph");
  const std::string pb = fuzz::Folder() + "/saved_model.pb";
  fuzz::WriteFile(pb, input);
  fuzz::Check(model::OpenTfSavedModel(fuzz::Folder()), pb, "tf-saved-model");
  return 0;
}
