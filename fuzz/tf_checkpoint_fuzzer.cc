// Fuzzes the TensorFlow checkpoint readers (model/tf_checkpoint.cc, tf_checkpoint_v1.cc,
// tf_table.cc): the input is a V2 bundle's .index (a LevelDB table read through leveldb::Table),
// written to a scratch prefix beside fixed data shards (a 1-shard and a 2-shard bundle's, bytes
// 0..255 each), and the same file read as a V1 checkpoint (one table of SavedTensorSlices). Then
// the input split into keys and values (at "\xfe\xff\xfe\xff") is written as a valid table with
// leveldb's TableBuilder and read both ways, so mutations reach the protobuf decoding that block
// checksums would otherwise shield.
//
// Checks, beyond "never crashes":
//   - errors are Corrupt, InvalidArgument or NotFound and name a file of the bundle;
//   - an opened bundle's tensors hold what ModelInfo promises: bytes == elements * dtype size
//     for every tensor with values, parameters and tensor_bytes are the sums over tensors;
//   - every tensor with values streams exactly its bytes, or stops with a Corrupt error naming
//     the tensor (V2: a CRC32C mismatch, of a partitioned variable's slice too; V1: a malformed or
//     short TensorProto); kOther tensors refuse with FailedPrecondition.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "fuzz/check.h"
#include "fuzz/scratch_file.h"
#include "model/model_file.h"
#include "model/readers.h"
#include "model/test_tf_writer.h"
#include "model/tf_checkpoint.h"
#include "model/values.h"

namespace trail::fuzz {
namespace {

void WriteFile(const std::string& path, std::string_view bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  FUZZ_CHECK(f != nullptr, "cannot write " + path);
  FUZZ_CHECK(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size(), "short write");
  std::fclose(f);
}

const char* const kShards[] = {".data-00000-of-00001", ".data-00000-of-00002", ".data-00001-of-00002"};

// The scratch file's name is the bundle prefix; its companions are made once and removed at exit.
const std::string& Prefix() {
  static const std::string prefix = [] {
    const std::string p = ScratchPath();
    std::string shard(256, '\0');
    for (size_t i = 0; i < shard.size(); ++i) shard[i] = static_cast<char>(i);
    for (const char* s : kShards) WriteFile(p + s, shard);
    std::atexit([] {
      for (const char* s : kShards) ::unlink((ScratchPath() + s).c_str());
      ::unlink((ScratchPath() + ".index").c_str());
    });
    return p;
  }();
  return prefix;
}

// The input split at kSeparator into key, value, key, value, ...; a later key wins.
constexpr std::string_view kSeparator("\xfe\xff\xfe\xff", 4);
std::map<std::string, std::string> Entries(std::string_view input) {
  std::vector<std::string> parts;
  while (true) {
    const size_t at = input.find(kSeparator);
    parts.emplace_back(input.substr(0, at));
    if (at == std::string_view::npos) break;
    input.remove_prefix(at + kSeparator.size());
  }
  std::map<std::string, std::string> entries;
  for (size_t i = 0; i + 1 < parts.size(); i += 2) entries[parts[i]] = parts[i + 1];
  return entries;
}

// `v2`: the bundle at Prefix(); else the same bytes as a V1 checkpoint (one table).
void Check(const model::ModelFileOr& opened, bool v2, size_t input_size) {
  using namespace trail::model;
  if (!opened.ok()) {
    const Status& s = opened.status();
    FUZZ_CHECK(s.code() == Code::kCorrupt || s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound,
               "unexpected error: " + s.message());
    FUZZ_CHECK(s.message().starts_with(Prefix()), "error does not name the checkpoint: " + Escaped(s.message()));
    return;
  }
  ModelFile& model = **opened;
  const ModelInfo& info = model.info();
  FUZZ_CHECK(info.format == (v2 ? "tf-checkpoint-v2" : "tf-checkpoint-v1") && info.framework == "tensorflow",
             "wrong format or framework");
  uint64_t parameters = 0, bytes = 0;
  for (size_t i = 0; i < info.tensors.size(); ++i) {
    const TensorInfo& t = info.tensors[i];
    bytes += t.bytes;
    if (t.is_parameter) parameters += t.elements;
    const size_t width = DTypeSize(t.dtype);
    if (width == 0) {
      FUZZ_CHECK(model.OpenTensor(i).status().code() == Code::kFailedPrecondition, "kOther tensor opened");
      continue;
    }
    FUZZ_CHECK(t.bytes == t.elements * width, "bytes do not match the shape");
    // A partitioned variable's slices each lie in a shard; each has its own key in the index.
    if (v2) FUZZ_CHECK(t.bytes <= 256 * (input_size + 1), "a tensor larger than its shards");
    uint64_t streamed = 0;
    const Status s = ForEachChunk(model, i, [&](std::string_view raw) {
      streamed += raw.size();
      return Status::Ok();
    });
    if (s.ok()) {
      FUZZ_CHECK(streamed == t.bytes, "streamed " + std::to_string(streamed) + " of " + std::to_string(t.bytes));
    } else {
      FUZZ_CHECK(s.code() == Code::kCorrupt && s.message().find("tensor ") != std::string::npos &&
                     (!v2 || s.message().find("CRC32C") != std::string::npos),
                 "stream error: " + s.message());
    }
  }
  FUZZ_CHECK(parameters == info.parameters && bytes == info.tensor_bytes, "totals do not match the tensors");
  FUZZ_CHECK(!DumpJson(ToJson(info, true)).empty(), "no JSON");
}

}  // namespace
}  // namespace trail::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trail;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string& prefix = fuzz::Prefix();
  // The input as the table file itself: the table reader and its checks.
  fuzz::WriteFile(prefix + ".index", input);
  fuzz::Check(model::OpenTfCheckpoint(prefix), true, size);
  fuzz::Check(model::OpenTfCheckpointV1(prefix + ".index"), false, size);
  // The input as the table's entries, written into a valid table: the proto decoding behind it.
  const std::map<std::string, std::string> entries = fuzz::Entries(input);
  FUZZ_CHECK(testing::tf::WriteTable(prefix + ".index", entries), "cannot write a table");
  fuzz::Check(model::OpenTfCheckpoint(prefix), true, size);
  fuzz::Check(model::OpenTfCheckpointV1(prefix + ".index"), false, size);
  return 0;
}
