#include "model/pytorch_tensors.h"

#include <algorithm>
#include <limits>

namespace trail::model {
namespace {

// A non-contiguous tensor is read run by run (one storage read each); past this many runs it is
// listed without values.
constexpr uint64_t kMaxStridedRuns = 1 << 20;

// C order over a strided view: the innermost dimension is one run when its stride is 1.
class StridedStream : public ValueStream {
 public:
  StridedStream(const TorchStorages* storages, const Placement* p, size_t width)
      : storages_(storages), p_(p), width_(width), index_(p->shape.size(), 0) {
    const size_t n = p->shape.size();
    if (n > 0 && (p->stride[n - 1] == 1 || p->shape[n - 1] == 1)) {
      run_ = static_cast<uint64_t>(p->shape[n - 1]);
      outer_ = n - 1;
    } else {
      run_ = 1;
      outer_ = n;
    }
    done_ = false;
    for (int64_t d : p->shape) done_ |= d == 0;
  }

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    while (true) {
      if (current_ == nullptr) {
        if (done_) return size_t{0};
        uint64_t at = p_->offset;
        for (size_t i = 0; i < outer_; ++i) at += static_cast<uint64_t>(index_[i] * p_->stride[i]);
        TRAIL_ASSIGN_OR_RETURN(current_, storages_->Open(p_->storage, at * width_, run_ * width_, p_->swap));
        Advance();
      }
      TRAIL_ASSIGN_OR_RETURN(size_t got, current_->Read(buf, capacity - capacity % width_));
      if (got > 0) return got;
      current_.reset();
    }
  }

 private:
  void Advance() {
    for (size_t i = outer_; i > 0; --i) {
      if (++index_[i - 1] < p_->shape[i - 1]) return;
      index_[i - 1] = 0;
    }
    done_ = true;
  }

  const TorchStorages* storages_;
  const Placement* p_;
  size_t width_;
  std::vector<int64_t> index_;
  uint64_t run_ = 1;
  size_t outer_ = 0;
  bool done_ = false;
  std::unique_ptr<ValueStream> current_;
};

// Checks a tensor's view against its storage member and fills `t` and `p`. Arithmetic is in 128
// bits so no hostile size or stride can wrap.
Status PlaceTensor(const std::string& path, const PickleNode& tensor, const PickleNode& storage,
                   const StorageRef& member, TensorInfo& t, Placement& p) {
  const std::string what = path + ": tensor " + t.name;
  if (tensor.shape.size() != tensor.stride.size())
    return Corrupt(what + ": its size and stride have different lengths");
  if (tensor.shape.size() > 64) return Corrupt(what + ": more than 64 dimensions");
  if (tensor.number < 0) return Corrupt(what + ": negative storage offset");
  unsigned __int128 elements = 1, last = static_cast<uint64_t>(tensor.number);
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (tensor.shape[i] < 0 || tensor.stride[i] < 0) return Corrupt(what + ": negative size or stride");
    elements *= static_cast<uint64_t>(tensor.shape[i]);
    if (elements > std::numeric_limits<uint64_t>::max()) return Corrupt(what + ": size overflows");
    if (tensor.shape[i] > 0)
      last += static_cast<unsigned __int128>(tensor.shape[i] - 1) * static_cast<uint64_t>(tensor.stride[i]);
  }
  t.shape = tensor.shape;
  t.elements = static_cast<uint64_t>(elements);
  if (StorageDType(storage.type_name, &t.dtype)) {
    t.dtype_name = std::string(DTypeName(t.dtype));
  } else {
    t.dtype = DType::kOther;
    t.dtype_name = storage.type_name;
  }
  const size_t width = DTypeSize(t.dtype);
  if (width != 0 && elements > 0) {
    const unsigned __int128 need = (last + 1) * width;
    if (need > member.bytes) {
      const uint64_t shown = need > std::numeric_limits<uint64_t>::max() ? std::numeric_limits<uint64_t>::max()
                                                                         : static_cast<uint64_t>(need);
      return Corrupt(what + " needs " + std::to_string(shown) + " bytes of storage " + member.name + ", which has " +
                     std::to_string(member.bytes));
    }
  }
  t.bytes = width == 0 ? 0 : t.elements * width;
  p.offset = static_cast<uint64_t>(tensor.number);
  p.shape = tensor.shape;
  p.stride = tensor.stride;
  int64_t expect = 1;
  for (size_t i = tensor.shape.size(); i > 0; --i) {
    if (tensor.shape[i - 1] != 1 && tensor.stride[i - 1] != expect) p.contiguous = false;
    expect *= tensor.shape[i - 1] == 0 ? 1 : tensor.shape[i - 1];
  }
  if (!p.contiguous) {
    const size_t n = tensor.shape.size();
    const bool inner_run = n > 0 && (tensor.stride[n - 1] == 1 || tensor.shape[n - 1] == 1);
    const uint64_t runs = inner_run && tensor.shape[n - 1] > 0 ? t.elements / tensor.shape[n - 1] : t.elements;
    if (runs > kMaxStridedRuns) return FailedPrecondition("too fragmented");
  }
  return Status::Ok();
}

bool DTypeIsFloat(DType d) {
  return d == DType::kFloat16 || d == DType::kBFloat16 || d == DType::kFloat32 || d == DType::kFloat64 ||
         d == DType::kComplex64 || d == DType::kComplex128;
}

// Bytes swapped per unit for a big-endian storage: complex numbers swap each of their two parts.
size_t TorchSwapWidth(DType d) {
  if (d == DType::kComplex64) return 4;
  if (d == DType::kComplex128) return 8;
  return std::max<size_t>(1, DTypeSize(d));
}

}  // namespace

bool StorageDType(const std::string& type, DType* dtype) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"FloatStorage", DType::kFloat32},
      {"DoubleStorage", DType::kFloat64},
      {"HalfStorage", DType::kFloat16},
      {"BFloat16Storage", DType::kBFloat16},
      {"LongStorage", DType::kInt64},
      {"IntStorage", DType::kInt32},
      {"ShortStorage", DType::kInt16},
      {"CharStorage", DType::kInt8},
      {"ByteStorage", DType::kUInt8},
      {"BoolStorage", DType::kBool},
      {"ComplexFloatStorage", DType::kComplex64},
      {"ComplexDoubleStorage", DType::kComplex128},
  };
  std::string_view name = type;
  if (name.starts_with("torch.cuda."))
    name.remove_prefix(11);
  else if (name.starts_with("torch."))
    name.remove_prefix(6);
  else
    return false;
  for (const auto& [text, t] : kTypes) {
    if (name == text) {
      *dtype = t;
      return true;
    }
  }
  return false;
}

StatusOr<std::unique_ptr<ValueStream>> TorchModelFile::OpenTensor(size_t index) {
  const TensorInfo& t = info_.tensors.at(index);
  const size_t width = DTypeSize(t.dtype);
  if (width == 0) return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
  const Placement& p = placements_.at(index);
  if (p.contiguous || t.elements == 0) {
    const uint64_t offset = t.elements == 0 ? 0 : p.offset * width;
    return storages_->Open(p.storage, offset, t.bytes, p.swap);
  }
  return std::unique_ptr<ValueStream>(std::make_unique<StridedStream>(storages_.get(), &p, width));
}

Status AddWalkedTensors(const std::string& path, const PickleTree& tree, const WalkResult& walk,
                        const std::function<std::optional<StorageRef>(const std::string& key)>& find, bool big_endian,
                        TorchModelFile& model) {
  ModelInfo& info = model.mutable_info();
  std::vector<std::string> unread;
  for (const FoundTensor& f : walk.tensors) {
    const PickleNode& tensor = tree.nodes[f.node];
    const PickleNode& storage = tree.nodes[tensor.items[0]];
    const std::optional<StorageRef> ref = find(storage.text);
    if (!ref) return Corrupt(path + ": tensor " + f.name + " names storage " + storage.text + ", which is missing");
    TensorInfo t;
    t.name = f.name;
    t.is_parameter = f.is_parameter;
    Placement p;
    p.storage = ref->id;
    Status placed = PlaceTensor(path, tensor, storage, *ref, t, p);
    if (placed.code() == Code::kFailedPrecondition) {
      unread.push_back(t.name);
      t.dtype = DType::kOther;  // listed, counted, but its values are not read
    } else {
      TRAIL_RETURN_IF_ERROR(placed);
    }
    if (!DTypeIsFloat(t.dtype)) t.is_parameter = false;
    if (big_endian) p.swap = TorchSwapWidth(t.dtype);
    info.tensors.push_back(std::move(t));
    model.placements().push_back(std::move(p));
  }
  if (!unread.empty()) {
    info.notes.push_back(std::to_string(unread.size()) +
                         " non-contiguous tensors too fragmented to read have no checksum (first: " + unread.front() +
                         ")");
  }
  return Status::Ok();
}

}  // namespace trail::model
