// torch.save's zip format (PyTorch 1.6+): one top folder `<name>/` holding data.pkl (the pickled
// object, whose tensors name their storages by persistent id ('storage', torch.FloatStorage, key,
// location, numel)), data/<key> (each storage's raw little-endian bytes), version, and since 2.x
// byteorder. data.pkl is read by pickle_reader.h, which executes nothing; tensors are found by
// walking its tree (pytorch_walk.h) and their values streamed from the storage members.
// A TorchScript archive (torch.jit.save) is the same zip with code/, constants.pkl and extra/
// beside data.pkl: its code is read as text (torchscript_code.h), never run.
#include <limits>

#include "model/pickle_reader.h"
#include "model/pytorch_detect.h"
#include "model/pytorch_tensors.h"
#include "model/pytorch_walk.h"
#include "model/random_file.h"
#include "model/readers.h"
#include "model/torchscript_code.h"
#include "model/zip_archive.h"

namespace trail::model {
namespace {

// data.pkl holds only structure (names, shapes, small values), never tensor data: a few MB for
// the largest models. Larger is refused rather than held in memory.
constexpr uint64_t kMaxPickleBytes = 64 << 20;

// Storages are the members data/<key> of the archive.
class ZipStorages : public TorchStorages {
 public:
  explicit ZipStorages(ZipArchive zip) : zip_(std::move(zip)) {}
  StatusOr<std::unique_ptr<ValueStream>> Open(size_t id, uint64_t offset, uint64_t length, size_t swap) const override {
    return zip_.OpenMember(zip_.members()[id], offset, length, swap);
  }
  const ZipArchive& zip() const { return zip_; }

 private:
  ZipArchive zip_;
};

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// The archive, or what it is instead: not a zip, a zip cut short.
StatusOr<ZipArchive> OpenTorchZip(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile raw, RandomFile::Open(path));
  std::string head;
  TRAIL_RETURN_IF_ERROR(raw.ReadAt(0, static_cast<size_t>(std::min<uint64_t>(raw.size(), 4)), &head));
  if (head != "PK\x03\x04") {
    return InvalidArgument(path +
                           ": not a torch.save file (neither a zip nor a stream that begins with the legacy format's "
                           "magic number)");
  }
  StatusOr<ZipArchive> zip = ZipArchive::Open(path);
  // A zip cut short (a copy or download interrupted) has lost the central directory at its end.
  if (!zip.ok() && zip.status().code() == Code::kCorrupt && !HasZipEndRecord(raw)) {
    return Corrupt(path + ": truncated or damaged PyTorch zip (no central directory)");
  }
  return zip;
}

}  // namespace

ModelFileOr OpenPytorch(const std::string& path) {
  {
    TRAIL_ASSIGN_OR_RETURN(RandomFile raw, RandomFile::Open(path));
    std::string head;
    TRAIL_RETURN_IF_ERROR(raw.ReadAt(0, static_cast<size_t>(std::min<uint64_t>(raw.size(), 32)), &head));
    if (IsLegacyTorchSave(head)) return OpenPytorchLegacy(path);
  }
  TRAIL_ASSIGN_OR_RETURN(ZipArchive zip, OpenTorchZip(path));
  const ZipMember* pickle = nullptr;
  for (const ZipMember& m : zip.members()) {
    const size_t slash = m.name.find('/');
    const bool top = slash != std::string::npos && m.name.find('/', slash + 1) == std::string::npos;
    if ((top && m.name.substr(slash + 1) == "data.pkl") || m.name == "data.pkl") {
      if (pickle != nullptr) return Corrupt(path + ": more than one data.pkl");
      pickle = &m;
    }
  }
  if (pickle == nullptr) return Corrupt(path + ": a zip without the data.pkl of a torch.save file");
  const std::string prefix = pickle->name.substr(0, pickle->name.size() - 8);
  TRAIL_ASSIGN_OR_RETURN(std::string pickled, zip.ReadMember(*pickle, kMaxPickleBytes));
  TRAIL_ASSIGN_OR_RETURN(PickleTree tree, ParsePickle(pickled, path));
  pickled = std::string();
  bool script = zip.Find(prefix + "constants.pkl") != nullptr;
  for (const ZipMember& m : zip.members()) script |= m.name.starts_with(prefix + "code/");
  TorchScriptCode code;
  if (script) code = ReadTorchScriptCode(zip, prefix);
  TRAIL_ASSIGN_OR_RETURN(WalkResult walk, WalkPickle(tree, path, script ? &code.classes : nullptr));

  bool big_endian = false;
  std::vector<std::string> notes;
  if (const ZipMember* m = zip.Find(prefix + "byteorder")) {
    TRAIL_ASSIGN_OR_RETURN(std::string order, zip.ReadMember(*m, 64));
    order = Trim(order);
    if (order == "big")
      big_endian = true;
    else if (order != "little")
      return Corrupt(path + ": byteorder says '" + order + "'");
  }
  const ZipMember* version = zip.Find(prefix + "version");
  if (version == nullptr) version = zip.Find(prefix + ".data/version");  // TorchScript since 1.13
  if (version != nullptr) {
    TRAIL_ASSIGN_OR_RETURN(std::string text, zip.ReadMember(*version, 64));
    notes.push_back((script ? "TorchScript archive version " : "torch.save archive version ") + Trim(text));
  }

  auto storages = std::make_unique<ZipStorages>(std::move(zip));
  const ZipArchive& archive = storages->zip();
  auto model = std::make_unique<TorchModelFile>(std::move(storages));
  ModelInfo& info = model->mutable_info();
  info.format = script ? "torchscript" : "pytorch";
  info.framework = "pytorch";
  info.notes = std::move(notes);
  auto find = [&](const std::string& key) -> std::optional<StorageRef> {
    const ZipMember* member = archive.Find(prefix + "data/" + key);
    if (member == nullptr) return std::nullopt;
    return StorageRef{static_cast<size_t>(member - archive.members().data()), member->size, member->name};
  };
  TRAIL_RETURN_IF_ERROR(AddWalkedTensors(path, tree, walk, find, big_endian, *model));
  ApplyWalkSummary(walk, info);
  if (script) ApplyTorchScriptCalls(code, info);
  Totals(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
