// TensorFlow V1 checkpoints (tensorflow/core/util/saved_tensor_slice.proto), written by
// tf.train.Saver(write_version=V1): one LevelDB-format table whose "" key holds a
// SavedTensorSlices { meta = 1: SavedTensorSliceMeta { tensor = 1: SavedSliceMeta { name = 1,
// shape = 2, type = 3, slice = 4 } } } and whose other keys (the tensor name and slice,
// OrderedCode-encoded) hold SavedTensorSlices { data = 2: SavedSlice { name = 1, slice = 2,
// data = 3: TensorProto } }, the values inline in the TensorProto's repeated fields.
//
// The values lie inside the table's blocks, which leveldb reads whole: memory is bounded by the
// largest block, capped at kMaxBlockBytes (a larger tensor makes the file refused, not read).
#include <cstring>
#include <map>

#include "base/proto_wire.h"
#include "base/text.h"
#include "model/random_file.h"
#include "model/tf_checkpoint.h"
#include "model/tf_functions.h"
#include "model/tf_table.h"
#include "model/tf_types.h"

namespace trail::model {
namespace {

constexpr uint64_t kMaxBlockBytes = 256 << 20;

// A TensorSliceProto (extent = 1: Extent { start = 1, length = 2 }) is the whole tensor when no
// extent has a length.
bool IsFullSlice(std::string_view slice) {
  WireReader reader(slice);
  WireField field;
  while (reader.Next(field)) {
    if (field.number != 1 || field.type != WireType::kLengthDelimited) continue;
    WireReader extent(field.bytes);
    WireField f;
    while (extent.Next(f)) {
      if (f.number == 2) return false;
    }
  }
  return true;
}

void PutLittleEndian(uint64_t v, size_t width, std::string* out) {
  for (size_t i = 0; i < width; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// The values of a TensorProto (tensor_content = 4, or the repeated field of its dtype: float_val
// 5, double_val 6, int_val 7, int64_val 10, bool_val 11, half_val 13, uint32_val 16, uint64_val 17)
// as little-endian bytes of `dtype`. False when the proto is malformed.
bool TensorProtoValues(std::string_view proto, DType dtype, std::string* out) {
  const size_t width = DTypeSize(dtype);
  uint32_t number = 0;
  WireType element = WireType::kVarint;
  switch (dtype) {
    case DType::kFloat32:
      number = 5, element = WireType::kFixed32;
      break;
    case DType::kFloat64:
      number = 6, element = WireType::kFixed64;
      break;
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kInt16:
    case DType::kUInt16:
    case DType::kInt32:
      number = 7;
      break;
    case DType::kInt64:
      number = 10;
      break;
    case DType::kBool:
      number = 11;
      break;
    case DType::kFloat16:
    case DType::kBFloat16:
      number = 13;
      break;
    case DType::kUInt32:
      number = 16;
      break;
    case DType::kUInt64:
      number = 17;
      break;
    default:
      return false;  // complex values are read from tensor_content only
  }
  std::string content;
  bool has_content = false;
  WireReader reader(proto);
  WireField field;
  while (reader.Next(field)) {
    if (field.number == 4 && field.type == WireType::kLengthDelimited) {
      content = std::string(field.bytes);
      has_content = true;
    } else if (field.number == number) {
      if (!ForEachRepeated(field, element, [&](uint64_t v) { PutLittleEndian(v, width, out); })) return false;
    }
  }
  if (!reader.ok()) return false;
  if (has_content) *out = std::move(content);
  return true;
}

struct V1Tensor {
  std::string key;  // the table key of its full slice; empty when there is none
  bool partitioned = false;
};

class TfV1File : public ModelFile {
 public:
  TfV1File(RandomFile file, std::vector<V1Tensor> tensors) : file_(std::move(file)), tensors_(std::move(tensors)) {}

  Status OpenTable() {
    TRAIL_ASSIGN_OR_RETURN(table_, TableReader::Open(&file_, kMaxBlockBytes));
    return Status::Ok();
  }

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    const V1Tensor& v = tensors_.at(index);
    if (DTypeSize(t.dtype) == 0 || v.key.empty())
      return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
    const std::string what = file_.path() + ": tensor " + EscapeForMessage(t.name);
    std::string values;
    TRAIL_RETURN_IF_ERROR(table_->Get(v.key, [&](std::string_view, std::string_view value) -> Status {
      std::string_view data;
      WireReader outer(value);
      WireField f;
      while (outer.Next(f)) {
        if (f.number == 2 && f.type == WireType::kLengthDelimited) {
          WireReader slice(f.bytes);
          WireField g;
          while (slice.Next(g)) {
            if (g.number == 3 && g.type == WireType::kLengthDelimited) data = g.bytes;
          }
        }
      }
      if (!TensorProtoValues(data, t.dtype, &values)) return Corrupt(what + ": malformed TensorProto");
      return Status::Ok();
    }));
    if (values.size() != t.bytes) {
      return Corrupt(what + ": holds " + std::to_string(values.size()) + " bytes of values, its shape " +
                     std::to_string(t.bytes));
    }
    return std::unique_ptr<ValueStream>(std::make_unique<StringStream>(std::move(values)));
  }

 private:
  // The values of one tensor, decoded from its TensorProto (bounded by the block cap).
  class StringStream : public ValueStream {
   public:
    explicit StringStream(std::string bytes) : bytes_(std::move(bytes)) {}
    StatusOr<size_t> Read(char* buf, size_t capacity) override {
      const size_t n = std::min(capacity, bytes_.size() - next_);
      std::memcpy(buf, bytes_.data() + next_, n);
      next_ += n;
      return n;
    }

   private:
    std::string bytes_;
    size_t next_ = 0;
  };

  RandomFile file_;
  std::unique_ptr<TableReader> table_;
  std::vector<V1Tensor> tensors_;
};

}  // namespace

ModelFileOr OpenTfCheckpointV1(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(path));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<TableReader> table, TableReader::Open(&file, kMaxBlockBytes));

  ModelInfo info;
  info.format = "tf-checkpoint-v1";
  info.framework = "tensorflow";
  std::vector<V1Tensor> tensors;
  std::map<std::string, size_t> by_name;
  bool have_meta = false;
  TRAIL_RETURN_IF_ERROR(table->ForEach([&](std::string_view key, std::string_view value) -> Status {
    WireReader outer(value);
    WireField field;
    while (outer.Next(field)) {
      if (field.type != WireType::kLengthDelimited) continue;
      if (key.empty() && field.number == 1) {  // SavedTensorSliceMeta
        have_meta = true;
        WireReader meta(field.bytes);
        WireField m;
        while (meta.Next(m)) {
          if (m.number != 1 || m.type != WireType::kLengthDelimited) continue;
          TensorInfo t;
          uint64_t type = 0;
          bool shape_ok = true, known = true;
          int slices = 0;
          WireReader saved(m.bytes);
          WireField s;
          while (saved.Next(s)) {
            if (s.number == 1 && s.type == WireType::kLengthDelimited) t.name = std::string(s.bytes);
            if (s.number == 2 && s.type == WireType::kLengthDelimited)
              shape_ok = ParseTensorShape(s.bytes, &t.shape, &known);
            if (s.number == 3 && s.type == WireType::kVarint) type = s.value;
            if (s.number == 4 && s.type == WireType::kLengthDelimited && !IsFullSlice(s.bytes)) ++slices;
          }
          const std::string what = path + ": tensor " + EscapeForMessage(t.name);
          if (!saved.ok() || !shape_ok || !known) return Corrupt(what + ": malformed SavedSliceMeta");
          if (!ElementCount(t.shape, &t.elements))
            return Corrupt(what + ": shape has an unknown dimension or more than 2^63 elements");
          if (by_name.count(t.name) != 0) return Corrupt(what + ": listed twice");
          t.dtype = DTypeFromTf(type, &t.dtype_name);
          const size_t width = DTypeSize(t.dtype);
          if (width != 0 && t.elements > UINT64_MAX / width) return Corrupt(what + ": shape overflows its byte size");
          t.bytes = t.elements * width;
          t.is_parameter = IsTfParameterName(t.name);
          V1Tensor v;
          v.partitioned = slices > 0;
          if (v.partitioned && width != 0) {
            t.dtype_name += " (partitioned)";
            t.dtype = DType::kOther;
          }
          const std::string optimizer = TfOptimizerFromName(t.name);
          if (!optimizer.empty()) AddFunction(info, "optimizer", optimizer, "checkpoint slot " + t.name);
          by_name[t.name] = info.tensors.size();
          info.tensors.push_back(std::move(t));
          tensors.push_back(std::move(v));
        }
        if (!meta.ok()) return Corrupt(path + ": malformed SavedTensorSliceMeta");
      } else if (!key.empty() && field.number == 2) {  // SavedSlice
        std::string name;
        bool full = true;
        WireReader slice(field.bytes);
        WireField s;
        while (slice.Next(s)) {
          if (s.number == 1 && s.type == WireType::kLengthDelimited) name = std::string(s.bytes);
          if (s.number == 2 && s.type == WireType::kLengthDelimited) full = IsFullSlice(s.bytes);
        }
        auto it = by_name.find(name);  // the meta ("" key) sorts first
        if (full && it != by_name.end()) tensors[it->second].key = std::string(key);
      }
    }
    if (!outer.ok()) return Corrupt(path + ": malformed SavedTensorSlices");
    return Status::Ok();
  }));
  if (!have_meta) return Corrupt(path + ": no SavedTensorSliceMeta (the \"\" key); not a TensorFlow V1 checkpoint");
  uint64_t partitioned = 0, missing = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].partitioned) {
      ++partitioned;
    } else if (tensors[i].key.empty() && DTypeSize(info.tensors[i].dtype) != 0) {
      ++missing;
      info.tensors[i].dtype_name += " (no data)";
      info.tensors[i].dtype = DType::kOther;
    }
  }
  if (partitioned > 0)
    info.notes.push_back(std::to_string(partitioned) + " partitioned variables are listed without values");
  if (missing > 0)
    info.notes.push_back(std::to_string(missing) + " tensors have no saved slice: listed without values");
  auto model = std::make_unique<TfV1File>(std::move(file), std::move(tensors));
  TRAIL_RETURN_IF_ERROR(model->OpenTable());
  model->mutable_info() = std::move(info);
  Totals(model->mutable_info());
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
