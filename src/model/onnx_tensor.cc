#include "model/onnx_tensor.h"

#include <limits>

namespace trail::model {
namespace {

constexpr uint64_t kMaxNameBytes = 64 * 1024;
constexpr uint64_t kMaxDims = 64;

// A packed repeated varint field's payload, converted element by element through a window.
class VarintStream : public ValueStream {
 public:
  VarintStream(const RandomFile* file, uint64_t offset, uint64_t length, size_t width, std::string what)
      : file_(file), offset_(offset), length_(length), width_(width), what_(std::move(what)) {}

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    size_t filled = 0;
    while (filled + width_ <= capacity && pos_ < length_) {
      TRAIL_ASSIGN_OR_RETURN(uint64_t v, NextVarint());
      for (size_t i = 0; i < width_; ++i) buf[filled + i] = static_cast<char>((v >> (8 * i)) & 0xff);
      filled += width_;
    }
    return filled;
  }

 private:
  StatusOr<uint64_t> NextVarint();

  const RandomFile* file_;
  uint64_t offset_;
  uint64_t length_;
  size_t width_;
  std::string what_;
  uint64_t pos_ = 0;
  std::string window_;
  uint64_t window_at_ = 0;
};

StatusOr<uint64_t> VarintStream::NextVarint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= length_) return Corrupt(what_ + ": truncated varint in packed values");
    if (window_.empty() || pos_ < window_at_ || pos_ >= window_at_ + window_.size()) {
      window_at_ = pos_;
      TRAIL_RETURN_IF_ERROR(
          file_->ReadAt(offset_ + pos_, static_cast<size_t>(std::min<uint64_t>(64 * 1024, length_ - pos_)), &window_));
    }
    const auto byte = static_cast<unsigned char>(window_[pos_ - window_at_]);
    ++pos_;
    value |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) return value;
  }
  return Corrupt(what_ + ": varint longer than 10 bytes in packed values");
}

}  // namespace

std::unique_ptr<ValueStream> MakeVarintStream(const RandomFile* file, uint64_t offset, uint64_t length, size_t width,
                                              std::string what) {
  return std::make_unique<VarintStream>(file, offset, length, width, std::move(what));
}

bool OnnxDType(uint64_t data_type, DType* dtype, std::string* name) {
  switch (data_type) {
    case 1:
      *dtype = DType::kFloat32;
      break;
    case 2:
      *dtype = DType::kUInt8;
      break;
    case 3:
      *dtype = DType::kInt8;
      break;
    case 4:
      *dtype = DType::kUInt16;
      break;
    case 5:
      *dtype = DType::kInt16;
      break;
    case 6:
      *dtype = DType::kInt32;
      break;
    case 7:
      *dtype = DType::kInt64;
      break;
    case 9:
      *dtype = DType::kBool;
      break;
    case 10:
      *dtype = DType::kFloat16;
      break;
    case 11:
      *dtype = DType::kFloat64;
      break;
    case 12:
      *dtype = DType::kUInt32;
      break;
    case 13:
      *dtype = DType::kUInt64;
      break;
    case 14:
      *dtype = DType::kComplex64;
      break;
    case 15:
      *dtype = DType::kComplex128;
      break;
    case 16:
      *dtype = DType::kBFloat16;
      break;
    default:
      *dtype = DType::kOther;
      *name = data_type == 8    ? "string"
              : data_type == 0  ? "undefined"
              : data_type == 17 ? "float8e4m3fn"
              : data_type == 18 ? "float8e4m3fnuz"
              : data_type == 19 ? "float8e5m2"
              : data_type == 20 ? "float8e5m2fnuz"
                                : "onnx type " + std::to_string(data_type);
      return false;
  }
  *name = std::string(DTypeName(*dtype));
  return true;
}

StatusOr<OnnxTensor> ReadOnnxTensor(const RandomFile& file, const OnnxField& field, const std::string& what) {
  OnnxTensor t;
  FileWireWalker walker(&file, field.offset, field.offset + field.value, what);
  OnnxField f;
  uint64_t data_type = 0;
  OnnxField typed;  // the typed repeated field holding the values, if any
  int typed_count = 0;
  bool raw = false, external = false;
  std::string entry;
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(bool more, walker.Next(f));
    if (!more) break;
    switch (f.number) {
      case 1:  // dims: packed or not
        if (f.type == WireType::kLengthDelimited) {
          TRAIL_RETURN_IF_ERROR(walker.ReadSmall(f, kMaxDims * 10, &entry));
          WireField wf;
          wf.type = WireType::kLengthDelimited;
          wf.bytes = entry;
          bool ok = ForEachRepeated(wf, WireType::kVarint,
                                    [&](uint64_t v) { t.info.shape.push_back(static_cast<int64_t>(v)); });
          if (!ok) return Corrupt(what + ": malformed dims");
        } else if (f.type == WireType::kVarint) {
          t.info.shape.push_back(static_cast<int64_t>(f.value));
        }
        if (t.info.shape.size() > kMaxDims) return Corrupt(what + ": more than 64 dims");
        break;
      case 2:
        if (f.type == WireType::kVarint) data_type = f.value;
        break;
      case 8:
        if (f.type == WireType::kLengthDelimited)
          TRAIL_RETURN_IF_ERROR(walker.ReadSmall(f, kMaxNameBytes, &t.info.name));
        break;
      case 9:
        if (f.type == WireType::kLengthDelimited) {
          raw = true;
          t.values.encoding = OnnxValues::Encoding::kRange;
          t.values.offset = f.offset;
          t.values.length = f.value;
        }
        break;
      case 4:
      case 5:
      case 6:
      case 7:
      case 10:
      case 11:
        typed = f;
        ++typed_count;
        break;
      case 13: {  // external_data: StringStringEntryProto {key = 1, value = 2}
        if (f.type != WireType::kLengthDelimited) break;
        TRAIL_RETURN_IF_ERROR(walker.ReadSmall(f, kMaxNameBytes, &entry));
        WireReader reader(entry);
        WireField wf;
        std::string key, value;
        while (reader.Next(wf)) {
          if (wf.type != WireType::kLengthDelimited) continue;
          if (wf.number == 1) key.assign(wf.bytes);
          if (wf.number == 2) value.assign(wf.bytes);
        }
        if (!reader.ok()) return Corrupt(what + ": malformed external_data entry (" + reader.error() + ")");
        if (key == "location") t.values.location = value;
        if (key == "offset" || key == "length") {
          uint64_t n = 0;
          if (value.empty() || value.size() > 19 || value.find_first_not_of("0123456789") != std::string::npos)
            return Corrupt(what + ": external_data " + key + " '" + value.substr(0, 40) + "' is not a number");
          n = std::stoull(value);
          if (key == "offset")
            t.values.offset = n;
          else {
            t.values.length = n;
            t.values.has_length = true;
          }
        }
        break;
      }
      case 14:
        if (f.type == WireType::kVarint) external = f.value == 1;
        break;
      default:
        break;
    }
  }
  if (t.info.name.empty()) t.info.name = "(unnamed)";
  const std::string name_what = what + " " + t.info.name;
  const bool known = OnnxDType(data_type, &t.info.dtype, &t.info.dtype_name);
  unsigned __int128 elements = 1;
  for (int64_t d : t.info.shape) {
    if (d < 0) return Corrupt(name_what + ": negative dim");
    elements *= static_cast<uint64_t>(d);
    if (elements > std::numeric_limits<uint64_t>::max() / 16) return Corrupt(name_what + ": dims overflow");
  }
  t.info.elements = static_cast<uint64_t>(elements);
  const size_t width = DTypeSize(t.info.dtype);
  t.info.bytes = t.info.elements * width;
  if (external) {
    t.values.encoding = OnnxValues::Encoding::kRange;
    t.values.external = true;
    if (t.values.location.empty()) return Corrupt(name_what + ": external data without a location");
    if (!t.values.has_length) t.values.length = t.info.bytes;
  } else if (!raw) {
    t.values.offset = 0;
    t.values.length = 0;
    if (typed_count > 1) {
      t.unread = "values in unpacked repeated fields";
    } else if (typed_count == 1 && typed.type == WireType::kLengthDelimited) {
      t.values.offset = typed.offset;
      t.values.length = typed.value;
      const bool fixed32 = typed.number == 4, fixed64 = typed.number == 10;
      const bool fits = fixed32   ? (data_type == 1 || data_type == 14)
                        : fixed64 ? (data_type == 11 || data_type == 15)
                        : typed.number == 5
                            ? (data_type >= 2 && data_type <= 6) || data_type == 9 || data_type == 10 || data_type == 16
                        : typed.number == 7  ? data_type == 7
                        : typed.number == 11 ? data_type == 12 || data_type == 13
                                             : false;
      if (!fits) {
        t.unread = "values in a field that does not match its data type";
      } else if (fixed32 || fixed64) {
        t.values.encoding = OnnxValues::Encoding::kRange;
      } else {
        if (typed.value < t.info.elements || typed.value / 10 > t.info.elements) {
          return Corrupt(name_what + ": " + std::to_string(typed.value) + " bytes of varints cannot hold " +
                         std::to_string(t.info.elements) + " values");
        }
        t.values.encoding = OnnxValues::Encoding::kVarint;
      }
    } else if (typed_count == 1) {
      t.unread = "values in unpacked repeated fields";
    } else if (t.info.elements > 0 && known) {
      t.unread = "no values";
    }
  }
  if (!known) t.unread = "dtype " + t.info.dtype_name;
  if (t.values.encoding == OnnxValues::Encoding::kRange && width != 0 && t.unread.empty() &&
      t.values.length != t.info.bytes) {
    return Corrupt(name_what + ": " + std::to_string(t.values.length) + " bytes of data do not hold its " +
                   std::to_string(t.info.elements) + " " + t.info.dtype_name + " values");
  }
  if (!t.unread.empty() && known) {
    t.info.dtype = DType::kOther;  // listed and counted, its values not read
  }
  return t;
}

}  // namespace trail::model
