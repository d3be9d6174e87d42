// Fuzzes the protobuf text reader (model/tf_text_format.cc) and the TensorFlow graph readers over
// it (model/tf_graph_text.cc): the input is read as a stream of events, then as a SavedModel's
// saved_model.pbtxt (in a scratch folder with no variables/) and as a .pbtxt graph file.
//
// Checks, beyond "never crashes":
//   - errors are Corrupt and start with "PATH:LINE: bad protobuf text" (or name the file, for
//     the graph readers);
//   - events nest: every kEnd closes a kBegin, kDone comes at depth 0 only, depth never passes
//     kMaxTextDepth; names are non-empty; unquoted values are non-empty and at most
//     kMaxTextTokenBytes, strings at most kMaxTextValueBytes (value_cut() when more was there);
//   - reading again and skipping every top-level message sees the same top-level fields and the
//     same verdict;
//   - an opened graph has no tensors, the format asked for, op counts of at least 1, and JSON that
//     dumps.
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
#include "model/tf_text_format.h"

namespace trail::fuzz {
namespace {

using model::TextProtoReader;
using Event = TextProtoReader::Event;

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
      ::unlink((ScratchPath() + ".savedmodel/saved_model.pbtxt").c_str());
      ::rmdir((ScratchPath() + ".savedmodel").c_str());
      ::unlink((ScratchPath() + ".pbtxt").c_str());
    });
    return f;
  }();
  return folder;
}

void CheckError(const Status& s, const std::string& path) {
  FUZZ_CHECK(s.code() == Code::kCorrupt, "unexpected error: " + s.message());
  FUZZ_CHECK(s.message().starts_with(path + ":"), "error does not name the file: " + Escaped(s.message()));
}

// Reads every event; returns the top-level field names and whether the text was well formed.
std::pair<std::vector<std::string>, bool> Walk(const model::RandomFile& file, bool skip) {
  TextProtoReader reader(file);
  std::vector<std::string> top;
  size_t open = 0;
  while (reader.Next()) {
    FUZZ_CHECK(reader.depth() <= model::kMaxTextDepth, "nesting past the limit");
    const Event e = reader.event();
    if (e == Event::kDone) {
      FUZZ_CHECK(open == 0 && reader.depth() == 0, "done inside a message");
      FUZZ_CHECK(!reader.Next(), "events after done");
      return {top, true};
    }
    if (e == Event::kEnd) {
      FUZZ_CHECK(open > 0, "an end without a begin");
      --open;
      continue;
    }
    FUZZ_CHECK(!reader.name().empty(), "a field without a name");
    if (open == 0) top.push_back(reader.name());
    if (e == Event::kBegin) {
      if (skip && open == 0) {
        if (!reader.Skip()) break;
      } else {
        ++open;
      }
      continue;
    }
    if (reader.value_is_string()) {
      FUZZ_CHECK(reader.value().size() <= model::kMaxTextValueBytes, "a string past the value cap");
      FUZZ_CHECK(!reader.value_cut() || reader.value().size() == model::kMaxTextValueBytes, "cut below the cap");
    } else {
      FUZZ_CHECK(!reader.value().empty() && reader.value().size() <= model::kMaxTextTokenBytes, "bad token size");
    }
  }
  CheckError(reader.status(), file.path());
  FUZZ_CHECK(reader.status().message().find(": bad protobuf text: ") != std::string::npos,
             "error without its line: " + reader.status().message());
  return {top, false};
}

void CheckGraph(const model::ModelFileOr& opened, const std::string& path, bool saved_model) {
  using namespace trail::model;
  if (!opened.ok()) {
    CheckError(opened.status(), path);
    return;
  }
  const ModelInfo& info = (*opened)->info();
  FUZZ_CHECK(
      saved_model ? info.format == "tf-saved-model" : (info.format == "tf-meta-graph" || info.format == "tf-graph-def"),
      "wrong format " + info.format);
  FUZZ_CHECK(info.framework == "tensorflow", "wrong framework");
  FUZZ_CHECK(info.tensors.empty() && info.tensor_bytes == 0, "tensors without a variables bundle");
  for (const auto& [op, count] : info.op_counts) FUZZ_CHECK(count >= 1, "an op counted 0 times");
  FUZZ_CHECK(!DumpJson(ToJson(info, true)).empty(), "no JSON");
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::WriteScratch(input);
  auto file = model::RandomFile::Open(fuzz::ScratchPath());
  FUZZ_CHECK(file.ok(), "cannot open the scratch file");
  const auto [fields, ok] = fuzz::Walk(*file, false);
  const auto [skipped_fields, skipped_ok] = fuzz::Walk(*file, true);
  FUZZ_CHECK(ok == skipped_ok, "skipping changed the verdict");
  if (ok) FUZZ_CHECK(fields == skipped_fields, "skipping changed the top-level fields");

  const std::string pbtxt = fuzz::Folder() + "/saved_model.pbtxt";
  fuzz::WriteFile(pbtxt, input);
  fuzz::CheckGraph(model::OpenTfSavedModel(fuzz::Folder()), pbtxt, true);
  const std::string graph = fuzz::ScratchPath() + ".pbtxt";
  fuzz::WriteFile(graph, input);
  fuzz::CheckGraph(model::OpenTfMetaGraph(graph), graph, false);
  return 0;
}
