// TensorFlow V2 checkpoints (tensorflow/core/util/tensor_bundle): PREFIX.index is a LevelDB-format
// table whose "" key holds a BundleHeaderProto (num_shards, endianness) and whose other keys map
// tensor names to BundleEntryProtos (dtype, shape, shard_id, offset, size, crc32c); each tensor's
// bytes lie in PREFIX.data-<shard_id, 5 digits>-of-<num_shards, 5 digits> at [offset, offset+size).
// Every entry is checked against its shard's size and its dtype and shape before it is listed;
// values stream from the shard and are checked against the entry's CRC32C as they go.
#include "model/tf_checkpoint.h"

#include <sys/stat.h>

#include <cstdio>
#include <map>
#include <regex>

#include "base/crc32c.h"
#include "base/text.h"
#include "model/random_file.h"
#include "model/tf_functions.h"
#include "model/tf_table.h"
#include "model/tf_types.h"

namespace trail::model {
namespace {

// TF formats shard numbers with %05d; more shards than that are not a checkpoint TF writes.
constexpr int64_t kMaxShards = 99999;

struct Placement {
  int64_t shard = -1;  // -1: no values (kOther, or a partitioned variable)
  uint64_t offset = 0;
  uint32_t masked_crc = 0;
  size_t swap = 1;  // big-endian bundles: bytes per swapped unit
};

// Passes a range stream's bytes through and checks their CRC32C at the end: a shard that was
// changed after the index was written is Corrupt, not silently different values.
class CrcCheckedStream : public ValueStream {
 public:
  CrcCheckedStream(std::unique_ptr<ValueStream> inner, uint32_t masked_crc, std::string what)
      : inner_(std::move(inner)), masked_crc_(masked_crc), what_(std::move(what)) {}

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    TRAIL_ASSIGN_OR_RETURN(size_t n, inner_->Read(buf, capacity));
    if (n > 0) {
      crc_ = Crc32cExtend(crc_, buf, n);
    } else if (!checked_) {
      checked_ = true;
      if (MaskCrc(crc_) != masked_crc_) return Corrupt(what_ + ": values do not match the index's CRC32C");
    }
    return n;
  }

 private:
  std::unique_ptr<ValueStream> inner_;
  uint32_t masked_crc_;
  std::string what_;
  uint32_t crc_ = 0;
  bool checked_ = false;
};

class TfBundleFile : public ModelFile {
 public:
  TfBundleFile(std::map<int64_t, std::unique_ptr<RandomFile>> shards, std::vector<Placement> placements)
      : shards_(std::move(shards)), placements_(std::move(placements)) {}

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    const Placement& p = placements_.at(index);
    if (DTypeSize(t.dtype) == 0 || p.shard < 0)
      return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
    const RandomFile* shard = shards_.at(p.shard).get();
    auto range = MakeRangeStream(shard, p.offset, t.bytes, p.swap);
    if (p.swap > 1) return range;  // TF's CRC is over the stored (big-endian) bytes
    return std::unique_ptr<ValueStream>(
        std::make_unique<CrcCheckedStream>(std::move(range), p.masked_crc, shard->path() + ": tensor " + t.name));
  }

 private:
  std::map<int64_t, std::unique_ptr<RandomFile>> shards_;
  std::vector<Placement> placements_;
};

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

std::string ShardPath(const std::string& prefix, int64_t shard, int64_t num_shards) {
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, ".data-%05lld-of-%05lld", static_cast<long long>(shard),
                static_cast<long long>(num_shards));
  return prefix + suffix;
}

// A key for a one-line error message: at most 200 bytes, control and invalid bytes escaped.
std::string Printable(std::string_view key) { return EscapeForMessage(key.substr(0, 200)); }

}  // namespace

std::string TfCheckpointPrefix(const std::string& path) {
  static const std::regex kShard(R"(\.data-\d{5}-of-\d{5}$)");
  if (path.ends_with(".index")) return path.substr(0, path.size() - 6);
  std::smatch m;
  if (std::regex_search(path, m, kShard)) return path.substr(0, static_cast<size_t>(m.position(0)));
  return path;
}

ModelFileOr OpenTfBundle(const std::string& prefix, bool follow_symlinks) {
  const std::string index_path = prefix + ".index";
  TRAIL_ASSIGN_OR_RETURN(RandomFile index, RandomFile::Open(index_path, follow_symlinks));

  BundleHeader header;
  bool have_header = false;
  std::vector<std::pair<std::string, BundleEntry>> entries;
  uint64_t slice_keys = 0;
  TRAIL_RETURN_IF_ERROR(ForEachTableEntry(index, [&](std::string_view key, std::string_view value) -> Status {
    if (key.empty()) {
      if (!ParseBundleHeader(value, &header)) return Corrupt(index_path + ": malformed BundleHeaderProto");
      have_header = true;
      return Status::Ok();
    }
    // Keys of a partitioned variable's slices are OrderedCode-encoded and start with a 0 byte.
    if (key[0] == '\0') {
      ++slice_keys;
      return Status::Ok();
    }
    BundleEntry entry;
    if (!ParseBundleEntry(value, &entry))
      return Corrupt(index_path + ": tensor " + Printable(key) + ": malformed BundleEntryProto");
    entries.emplace_back(std::string(key), std::move(entry));
    return Status::Ok();
  }));
  if (!have_header) return Corrupt(index_path + ": no bundle header (the \"\" key); not a TensorFlow V2 checkpoint");
  if (header.num_shards < 1 || header.num_shards > kMaxShards) {
    return Corrupt(index_path + ": bundle header claims " + std::to_string(header.num_shards) + " data shards (1 to " +
                   std::to_string(kMaxShards) + ")");
  }

  std::map<int64_t, std::unique_ptr<RandomFile>> shards;
  std::vector<Placement> placements;
  ModelInfo info;
  info.format = "tf-checkpoint-v2";
  info.framework = "tensorflow";
  uint64_t partitioned = 0;
  for (auto& [name, entry] : entries) {
    const std::string what = index_path + ": tensor " + Printable(name);
    TensorInfo t;
    t.name = name;
    t.dtype = DTypeFromTf(entry.dtype, &t.dtype_name);
    if (!entry.shape_known) return Corrupt(what + ": shape of unknown rank");
    t.shape = entry.shape;
    if (!ElementCount(entry.shape, &t.elements))
      return Corrupt(what + ": shape has an unknown dimension or more than 2^63 elements");
    t.is_parameter = IsTfParameterName(name);
    const size_t width = DTypeSize(t.dtype);
    Placement p;
    if (entry.slices > 0) {
      // The full variable's entry of a partitioned variable holds no bytes; its slices do.
      ++partitioned;
      if (width != 0) {
        if (t.elements > UINT64_MAX / width) return Corrupt(what + ": shape overflows its byte size");
        t.bytes = t.elements * width;
        t.dtype_name += " (partitioned)";
        t.dtype = DType::kOther;
      }
    } else {
      if (entry.shard_id < 0 || entry.shard_id >= header.num_shards) {
        return Corrupt(what + ": shard " + std::to_string(entry.shard_id) + " of a bundle with " +
                       std::to_string(header.num_shards) + " shards");
      }
      if (entry.offset < 0 || entry.size < 0) return Corrupt(what + ": negative offset or size");
      auto& shard = shards[entry.shard_id];
      if (shard == nullptr) {
        auto opened = RandomFile::Open(ShardPath(prefix, entry.shard_id, header.num_shards), follow_symlinks);
        if (!opened.ok()) return opened.status();
        shard = std::make_unique<RandomFile>(std::move(*opened));
      }
      const uint64_t offset = static_cast<uint64_t>(entry.offset), size = static_cast<uint64_t>(entry.size);
      if (offset > shard->size() || size > shard->size() - offset) {
        return Corrupt(what + ": bytes [" + std::to_string(offset) + ", +" + std::to_string(size) +
                       ") lie past the end of " + shard->path() + " (" + std::to_string(shard->size()) + " bytes)");
      }
      if (width != 0 && (t.elements > size / width || t.elements * width != size)) {
        return Corrupt(what + ": " + std::to_string(size) + " bytes do not hold shape's " + std::to_string(t.elements) +
                       " " + t.dtype_name + " values");
      }
      t.bytes = size;
      p.offset = offset;
      p.masked_crc = entry.crc32c;
      if (width != 0) {
        p.shard = entry.shard_id;
        const bool complex = t.dtype == DType::kComplex64 || t.dtype == DType::kComplex128;
        if (header.big_endian) p.swap = complex ? width / 2 : width;
      }
    }
    const std::string optimizer = TfOptimizerFromName(name);
    if (!optimizer.empty()) AddFunction(info, "optimizer", optimizer, "checkpoint slot " + name);
    info.tensors.push_back(std::move(t));
    placements.push_back(p);
  }
  if (partitioned > 0 || slice_keys > 0) {
    info.notes.push_back(std::to_string(partitioned) + " partitioned variables (" + std::to_string(slice_keys) +
                         " slices) are listed without values: trail does not assemble slices");
  }
  if (header.big_endian)
    info.notes.push_back("big-endian bundle: values are byte-swapped and their CRC32C not checked");
  auto model = std::make_unique<TfBundleFile>(std::move(shards), std::move(placements));
  model->mutable_info() = std::move(info);
  Totals(model->mutable_info());
  return ModelFileOr(std::move(model));
}

ModelFileOr OpenTfCheckpoint(const std::string& path) {
  const std::string prefix = TfCheckpointPrefix(path);
  if (Exists(prefix + ".index")) return OpenTfBundle(prefix, true);
  // No .index beside it: a V1 checkpoint is one LevelDB-format table of SavedTensorSlices.
  if (!Exists(path)) return NotFound(path + ": no such checkpoint (looked for " + prefix + ".index)");
  return OpenTfCheckpointV1(path);
}

}  // namespace trail::model
