// torch.save's legacy format (PyTorch before 1.6, or `_use_new_zipfile_serialization=False`):
// five pickles one after another (torch/serialization.py `_legacy_save`): the magic number
// 0x1950a86a20f9469cfc6c, the protocol version 1001, sys_info {protocol_version, little_endian,
// type_sizes}, the object (its storages as persistent ids ('storage', type, key, location, numel,
// view_metadata)), and the list of storage keys; then each listed storage in that order, as its
// element count (int64, little-endian) and its bytes. The pickles are run by pickle_reader.h,
// which executes nothing; tensors are found as in the zip format and streamed from the file.
#include <limits>
#include <map>

#include "model/pickle_reader.h"
#include "model/pytorch_tensors.h"
#include "model/pytorch_walk.h"
#include "model/random_file.h"

namespace trail::model {
namespace {

// The five pickles hold structure only; together they are read from at most the file's first
// 64 MB (as the zip format's data.pkl).
constexpr uint64_t kMaxLegacyPickleBytes = 64 << 20;
constexpr size_t kMaxStorages = 1'000'000;
constexpr int64_t kProtocolVersion = 1001;

struct Span {
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

class FileStorages : public TorchStorages {
 public:
  explicit FileStorages(RandomFile file) : file_(std::move(file)) {}
  StatusOr<std::unique_ptr<ValueStream>> Open(size_t id, uint64_t offset, uint64_t length, size_t swap) const override {
    return MakeRangeStream(&file_, spans_.at(id).offset + offset, length, swap);
  }
  const RandomFile& file() const { return file_; }
  std::vector<Span>& spans() { return spans_; }

 private:
  RandomFile file_;
  std::vector<Span> spans_;
};

// sys_info's little_endian; true when absent.
bool LittleEndian(const PickleTree& info) {
  const PickleNode& root = info.nodes[info.root];
  if (root.kind != PickleNode::Kind::kDict) return true;
  for (size_t i = 0; i + 1 < root.items.size(); i += 2) {
    const PickleNode& key = info.nodes[root.items[i]];
    const PickleNode& value = info.nodes[root.items[i + 1]];
    if (key.kind == PickleNode::Kind::kString && key.text == "little_endian" && value.kind == PickleNode::Kind::kBool)
      return value.number != 0;
  }
  return true;
}

}  // namespace

StatusOr<std::unique_ptr<ModelFile>> OpenPytorchLegacy(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(path));
  std::string head;
  TRAIL_RETURN_IF_ERROR(
      file.ReadAt(0, static_cast<size_t>(std::min<uint64_t>(file.size(), kMaxLegacyPickleBytes)), &head));
  PickleTree trees[5];
  size_t at = 0;
  for (PickleTree& tree : trees) {
    size_t used = 0;
    TRAIL_ASSIGN_OR_RETURN(tree, ParsePickle(std::string_view(head).substr(at), path, PickleLimits(), &used));
    at += used;
  }
  head = std::string();
  const PickleNode& version = trees[1].nodes[trees[1].root];
  if (version.kind != PickleNode::Kind::kInt || version.number != kProtocolVersion) {
    return Corrupt(path + ": a legacy torch.save file whose protocol version is not " +
                   std::to_string(kProtocolVersion));
  }
  const bool big_endian = !LittleEndian(trees[2]);
  const PickleTree& object = trees[3];
  TRAIL_ASSIGN_OR_RETURN(WalkResult walk, WalkPickle(object, path));

  // Each storage key's type, from the object's persistent ids, gives its element size.
  std::map<std::string, std::string> types;
  for (const PickleNode& n : object.nodes) {
    if (n.kind == PickleNode::Kind::kStorage) types.emplace(n.text, n.type_name);
  }
  const PickleNode& keys = trees[4].nodes[trees[4].root];
  if (keys.kind != PickleNode::Kind::kList) return Corrupt(path + ": the legacy storage key list is not a list");
  if (keys.items.size() > kMaxStorages)
    return Corrupt(path + ": more than " + std::to_string(kMaxStorages) + " storages");

  auto storages = std::make_unique<FileStorages>(std::move(file));
  const uint64_t size = storages->file().size();
  std::map<std::string, size_t> ids;
  uint64_t pos = at;
  for (uint32_t item : keys.items) {
    const PickleNode& key = trees[4].nodes[item];
    if (key.kind != PickleNode::Kind::kString) return Corrupt(path + ": a legacy storage key is not a string");
    auto type = types.find(key.text);
    DType dtype = DType::kOther;
    if (type == types.end() || !StorageDType(type->second, &dtype)) {
      return Corrupt(path + ": legacy storage " + key.text + " has no type trail knows, so its size is unknown");
    }
    if (!ids.emplace(key.text, storages->spans().size()).second)
      return Corrupt(path + ": legacy storage " + key.text + " is listed twice");
    if (size - pos < 8) return Corrupt(path + ": truncated: storage " + key.text + " is missing");
    std::string count_bytes;
    TRAIL_RETURN_IF_ERROR(storages->file().ReadAt(pos, 8, &count_bytes));
    uint64_t count = 0;
    for (size_t i = 8; i > 0; --i) count = (count << 8) | static_cast<unsigned char>(count_bytes[i - 1]);
    if (big_endian) count = __builtin_bswap64(count);
    const unsigned __int128 bytes = static_cast<unsigned __int128>(count) * DTypeSize(dtype);
    if (bytes > size - pos - 8) {
      return Corrupt(path + ": truncated: storage " + key.text + " claims " + std::to_string(count) +
                     " elements, past the end of the file");
    }
    storages->spans().push_back({pos + 8, static_cast<uint64_t>(bytes)});
    pos += 8 + static_cast<uint64_t>(bytes);
  }

  std::vector<Span> spans = storages->spans();
  auto model = std::make_unique<TorchModelFile>(std::move(storages));
  ModelInfo& info = model->mutable_info();
  info.format = "pytorch";
  info.framework = "pytorch";
  info.notes.push_back("legacy torch.save format (PyTorch before 1.6)");
  auto find = [&](const std::string& key) -> std::optional<StorageRef> {
    auto it = ids.find(key);
    if (it == ids.end()) return std::nullopt;
    return StorageRef{it->second, spans[it->second].bytes, "storage " + key};
  };
  TRAIL_RETURN_IF_ERROR(AddWalkedTensors(path, object, walk, find, big_endian, *model));
  ApplyWalkSummary(walk, info);
  Totals(info);
  return StatusOr<std::unique_ptr<ModelFile>>(std::move(model));
}

}  // namespace trail::model
