// What torch.save's two formats share once data.pkl is walked (pytorch_walk.h): each tensor view
// checked against its storage's bytes and listed, and its values streamed from the storage in C
// order (a strided view run by run). The zip format (pytorch.cc) keeps storages in members
// data/<key>; the legacy format (pytorch_legacy.cc) keeps them one after another after the
// pickles. A reader gives its storages through TorchStorages.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/model_file.h"
#include "model/pickle_reader.h"
#include "model/pytorch_walk.h"
#include "trail/status.h"

namespace trail::model {

// The storages of one file, by the id a reader gives each.
class TorchStorages {
 public:
  virtual ~TorchStorages() = default;
  // `length` bytes from `offset` of storage `id`, each element of `swap` bytes byte-swapped
  // (1: none). The caller has checked the range against the storage's size.
  virtual StatusOr<std::unique_ptr<ValueStream>> Open(size_t id, uint64_t offset, uint64_t length,
                                                      size_t swap) const = 0;
};

// A storage as a reader found it for a key.
struct StorageRef {
  size_t id = 0;
  uint64_t bytes = 0;
  std::string name;  // for errors: "m/data/0", "storage 421218976"
};

// Where a tensor's values lie in its storage.
struct Placement {
  size_t storage = 0;   // TorchStorages id
  uint64_t offset = 0;  // in elements
  std::vector<int64_t> shape;
  std::vector<int64_t> stride;
  bool contiguous = true;
  size_t swap = 1;
};

class TorchModelFile : public ModelFile {
 public:
  explicit TorchModelFile(std::unique_ptr<TorchStorages> storages) : storages_(std::move(storages)) {}
  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override;
  std::vector<Placement>& placements() { return placements_; }

 private:
  std::unique_ptr<TorchStorages> storages_;
  std::vector<Placement> placements_;
};

// The dtype of a storage type symbol ("torch.FloatStorage", "torch.cuda.HalfStorage"); false
// when trail does not know it.
bool StorageDType(const std::string& type, DType* dtype);

// Lists the walk's tensors in `model`'s info with their placements. `find` gives the storage of
// a key, or nullopt (Corrupt: "PATH: tensor NAME names storage KEY, which is missing"). Views
// that do not fit their storage are Corrupt; tensors that are not floating point are not
// parameters; `big_endian` storages are swapped while streaming.
Status AddWalkedTensors(const std::string& path, const PickleTree& tree, const WalkResult& walk,
                        const std::function<std::optional<StorageRef>(const std::string& key)>& find, bool big_endian,
                        TorchModelFile& model);

// The legacy (pre-1.6) torch.save stream (pytorch_legacy.cc); OpenPytorch calls it for a file
// that IsLegacyTorchSave.
StatusOr<std::unique_ptr<ModelFile>> OpenPytorchLegacy(const std::string& path);

}  // namespace trail::model
