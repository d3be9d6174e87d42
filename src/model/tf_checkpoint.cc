// TensorFlow V2 checkpoints (tensorflow/core/util/tensor_bundle): PREFIX.index is a LevelDB-format
// table whose "" key holds a BundleHeaderProto (num_shards, endianness) and whose other keys map
// tensor names to BundleEntryProtos (dtype, shape, shard_id, offset, size, crc32c); each tensor's
// bytes lie in PREFIX.data-<shard_id, 5 digits>-of-<num_shards, 5 digits> at [offset, offset+size).
// Every entry is checked against its shard's size and its dtype and shape before it is listed;
// values stream from the shard and are checked against the entry's CRC32C as they go. A
// partitioned variable is listed once, with its full shape, and streamed from its slices
// (tf_partition.h); the slices' own entries are not listed.
#include "model/tf_checkpoint.h"

#include <sys/stat.h>

#include <cstdio>
#include <map>
#include <regex>

#include "base/crc32c.h"
#include "base/text.h"
#include "model/random_file.h"
#include "model/tf_functions.h"
#include "model/tf_partition.h"
#include "model/tf_table.h"
#include "model/tf_types.h"

namespace trail::model {
namespace {

// TF formats shard numbers with %05d; more shards than that are not a checkpoint TF writes.
constexpr int64_t kMaxShards = 99999;

struct SlicePlacement {
  int64_t shard = -1;  // -1: no values here (kOther, or a partitioned variable)
  uint64_t offset = 0;
  uint32_t masked_crc = 0;
  size_t swap = 1;                                 // big-endian bundles: bytes per swapped unit
  std::shared_ptr<const PartitionPlan> partition;  // a partitioned variable assembled from slices
  std::string what;                                // "INDEX: tensor NAME", for its stream's errors
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
  TfBundleFile(std::map<int64_t, std::unique_ptr<RandomFile>> shards, std::vector<SlicePlacement> placements)
      : shards_(std::move(shards)), placements_(std::move(placements)) {}

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    const SlicePlacement& p = placements_.at(index);
    if (p.partition != nullptr) return MakePartitionStream(p.partition, p.what);
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
  std::vector<SlicePlacement> placements_;
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

// The bundle's data shards, each opened on first use and checked against every entry placed in it.
class Shards {
 public:
  Shards(std::string prefix, int64_t num_shards, bool follow_symlinks)
      : prefix_(std::move(prefix)), num_shards_(num_shards), follow_symlinks_(follow_symlinks) {}

  // Checks that `entry` names a shard of the bundle and a byte range inside it, and (for a dtype
  // of `width` > 0) that its size holds `elements` values; returns the shard.
  StatusOr<const RandomFile*> Check(const std::string& what, const BundleEntry& entry, uint64_t elements, size_t width,
                                    const std::string& dtype_name) {
    if (entry.shard_id < 0 || entry.shard_id >= num_shards_) {
      return Corrupt(what + ": shard " + std::to_string(entry.shard_id) + " of a bundle with " +
                     std::to_string(num_shards_) + " shards");
    }
    if (entry.offset < 0 || entry.size < 0) return Corrupt(what + ": negative offset or size");
    auto& shard = files_[entry.shard_id];
    if (shard == nullptr) {
      auto opened = RandomFile::Open(ShardPath(prefix_, entry.shard_id, num_shards_), follow_symlinks_);
      if (!opened.ok()) return opened.status();
      shard = std::make_unique<RandomFile>(std::move(*opened));
    }
    const uint64_t offset = static_cast<uint64_t>(entry.offset), size = static_cast<uint64_t>(entry.size);
    if (offset > shard->size() || size > shard->size() - offset) {
      return Corrupt(what + ": bytes [" + std::to_string(offset) + ", +" + std::to_string(size) +
                     ") lie past the end of " + shard->path() + " (" + std::to_string(shard->size()) + " bytes)");
    }
    if (width != 0 && (elements > size / width || elements * width != size)) {
      return Corrupt(what + ": " + std::to_string(size) + " bytes do not hold shape's " + std::to_string(elements) +
                     " " + dtype_name + " values");
    }
    return static_cast<const RandomFile*>(shard.get());
  }

  std::map<int64_t, std::unique_ptr<RandomFile>> Take() { return std::move(files_); }

 private:
  std::string prefix_;
  int64_t num_shards_;
  bool follow_symlinks_;
  std::map<int64_t, std::unique_ptr<RandomFile>> files_;
};

// A slice's own entry, found by the key TF gives it.
struct SliceEntry {
  BundleEntry entry;
  bool used = false;
};

// The slices of the partitioned variable `name` (its full entry `entry`, of `width`-byte
// elements) as parts read from their shards; Corrupt naming the variable when one is missing from
// the index or its entry disagrees with the slice.
Status CollectSlices(const std::string& what, const std::string& name, const BundleEntry& entry, size_t width,
                     const std::string& dtype_name, std::map<std::string, SliceEntry>& slice_entries, Shards& shards,
                     std::vector<SlicePart>* parts) {
  const std::vector<int64_t>& shape = entry.shape;
  for (const std::string& proto : entry.slices) {
    SlicePart part;
    if (!ParseTensorSlice(proto, &part.extents)) return Corrupt(what + ": malformed TensorSliceProto");
    const std::string slice = "slice " + SliceText(part.extents);
    auto found = slice_entries.find(TfSliceKey(name, part.extents));
    if (found == slice_entries.end()) return Corrupt(what + ": " + slice + " is missing from the index");
    found->second.used = true;
    const BundleEntry& own = found->second.entry;
    std::string own_dtype;
    DTypeFromTf(own.dtype, &own_dtype);
    if (own_dtype != dtype_name) return Corrupt(what + ": " + slice + " holds " + own_dtype + ", not " + dtype_name);
    // The slice's shape, where it fits the full shape (PlanPartition reports one that does not).
    std::vector<int64_t> want;
    if (!own.shape_known) return Corrupt(what + ": " + slice + "'s entry has a shape of unknown rank");
    bool fits = part.extents.size() == shape.size();
    for (size_t d = 0; fits && d < shape.size(); ++d) {
      const SliceExtent& e = part.extents[d];
      fits = e.start <= shape[d] && e.length <= shape[d] - e.start;
      want.push_back(e.length < 0 ? shape[d] - e.start : e.length);
    }
    if (fits && own.shape != want) return Corrupt(what + ": " + slice + "'s entry has another shape than the slice");
    uint64_t elements = 0;
    if (fits && !ElementCount(want, &elements)) return Corrupt(what + ": " + slice + " has too many elements");
    if (fits) {
      TRAIL_ASSIGN_OR_RETURN(part.shard, shards.Check(what + ": " + slice, own, elements, width, dtype_name));
      part.offset = static_cast<uint64_t>(own.offset);
      part.masked_crc = own.crc32c;
    }
    parts->push_back(std::move(part));
  }
  return Status::Ok();
}

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
  std::map<std::string, SliceEntry> slice_entries;
  TRAIL_RETURN_IF_ERROR(ForEachTableEntry(index, [&](std::string_view key, std::string_view value) -> Status {
    if (key.empty()) {
      if (!ParseBundleHeader(value, &header)) return Corrupt(index_path + ": malformed BundleHeaderProto");
      have_header = true;
      return Status::Ok();
    }
    BundleEntry entry;
    if (!ParseBundleEntry(value, &entry))
      return Corrupt(index_path + ": tensor " + Printable(key) + ": malformed BundleEntryProto");
    // Keys of a partitioned variable's slices are OrderedCode-encoded and start with a 0 byte.
    if (key[0] == '\0') {
      slice_entries[std::string(key)].entry = std::move(entry);
    } else {
      entries.emplace_back(std::string(key), std::move(entry));
    }
    return Status::Ok();
  }));
  if (!have_header) return Corrupt(index_path + ": no bundle header (the \"\" key); not a TensorFlow V2 checkpoint");
  if (header.num_shards < 1 || header.num_shards > kMaxShards) {
    return Corrupt(index_path + ": bundle header claims " + std::to_string(header.num_shards) + " data shards (1 to " +
                   std::to_string(kMaxShards) + ")");
  }

  Shards shards(prefix, header.num_shards, follow_symlinks);
  std::vector<SlicePlacement> placements;
  ModelInfo info;
  info.format = "tf-checkpoint-v2";
  info.framework = "tensorflow";
  uint64_t assembled = 0, assembled_slices = 0;
  std::vector<std::string> unassembled;
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
    SlicePlacement p;
    const bool complex = t.dtype == DType::kComplex64 || t.dtype == DType::kComplex128;
    if (header.big_endian && width != 0) p.swap = complex ? width / 2 : width;
    if (!entry.slices.empty()) {
      // A partitioned variable's full entry holds no bytes; its slices do. Without a numeric
      // dtype (strings) it is listed without values, as an unpartitioned one would be.
      if (width != 0) {
        if (t.elements > UINT64_MAX / width) return Corrupt(what + ": shape overflows its byte size");
        t.bytes = t.elements * width;
        std::vector<SlicePart> parts;
        TRAIL_RETURN_IF_ERROR(CollectSlices(what, name, entry, width, t.dtype_name, slice_entries, shards, &parts));
        auto plan = std::make_shared<PartitionPlan>();
        std::string unsupported;
        TRAIL_RETURN_IF_ERROR(PlanPartition(what, t.shape, width, p.swap, parts, plan.get(), &unsupported));
        if (unsupported.empty()) {
          p.partition = std::move(plan);
          p.what = what;
          ++assembled;
          assembled_slices += parts.size();
        } else {
          unassembled.push_back(Printable(name) + " (" + unsupported + ")");
          t.dtype_name += " (partitioned)";
          t.dtype = DType::kOther;
        }
      }
    } else {
      TRAIL_RETURN_IF_ERROR(shards.Check(what, entry, t.elements, width, t.dtype_name).status());
      t.bytes = static_cast<uint64_t>(entry.size);
      p.offset = static_cast<uint64_t>(entry.offset);
      p.masked_crc = entry.crc32c;
      if (width != 0) p.shard = entry.shard_id;
    }
    const std::string optimizer = TfOptimizerFromName(name);
    if (!optimizer.empty()) AddFunction(info, "optimizer", optimizer, "checkpoint slot " + name);
    info.tensors.push_back(std::move(t));
    placements.push_back(std::move(p));
  }
  if (assembled > 0) {
    info.notes.push_back(std::to_string(assembled) + " partitioned variables assembled from " +
                         std::to_string(assembled_slices) + " slices");
  }
  if (!unassembled.empty()) {
    std::string names;
    for (size_t i = 0; i < unassembled.size() && i < 5; ++i) names += (i ? ", " : "") + unassembled[i];
    if (unassembled.size() > 5) names += ", ...";
    info.notes.push_back(std::to_string(unassembled.size()) +
                         " partitioned variables are listed without values (trail assembles slices along one "
                         "dimension): " +
                         names);
  }
  uint64_t orphans = 0;
  for (const auto& [key, slice] : slice_entries) orphans += slice.used ? 0 : 1;
  if (orphans > 0) {
    info.notes.push_back(std::to_string(orphans) +
                         " slice entries belong to no partitioned variable in the index and are not listed");
  }
  if (header.big_endian)
    info.notes.push_back("big-endian bundle: values are byte-swapped and their CRC32C not checked");
  auto model = std::make_unique<TfBundleFile>(shards.Take(), std::move(placements));
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
