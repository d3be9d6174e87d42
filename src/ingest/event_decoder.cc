#include "ingest/event_decoder.h"

#include <bit>
#include <cmath>
#include <limits>
#include <optional>

#include "base/proto_wire.h"

namespace trail::ingest {
namespace {

// tensorflow.Event
constexpr uint32_t kEventWallTime = 1;  // double
constexpr uint32_t kEventStep = 2;      // int64
constexpr uint32_t kEventSummary = 5;   // Summary; fields 3..9 form the oneof `what`
constexpr uint32_t kEventWhatFirst = 3;
constexpr uint32_t kEventWhatLast = 9;
// tensorflow.Summary
constexpr uint32_t kSummaryValue = 1;  // repeated Value
// tensorflow.Summary.Value; fields 2..6 and 8 form the oneof `value`
constexpr uint32_t kValueTag = 1;
constexpr uint32_t kValueSimpleValue = 2;  // float
constexpr uint32_t kValueTensor = 8;       // TensorProto
constexpr uint32_t kValueMetadata = 9;     // SummaryMetadata
// tensorflow.SummaryMetadata and its PluginData
constexpr uint32_t kMetadataPluginData = 1;
constexpr uint32_t kMetadataDataClass = 4;
constexpr uint64_t kDataClassScalar = 1;
constexpr uint32_t kPluginName = 1;
// tensorflow.TensorProto
constexpr uint32_t kTensorDtype = 1;
constexpr uint32_t kTensorShape = 2;
constexpr uint32_t kTensorContent = 4;
constexpr uint32_t kTensorFloatVal = 5;   // packed float
constexpr uint32_t kTensorDoubleVal = 6;  // packed double
constexpr uint32_t kTensorIntVal = 7;     // packed int32: DT_INT32, DT_INT16, DT_INT8, DT_UINT8, DT_UINT16
constexpr uint32_t kTensorInt64Val = 10;  // packed int64
constexpr uint32_t kTensorHalfVal = 13;   // packed int32 holding 16 bits: DT_HALF, DT_BFLOAT16
// tensorflow.TensorShapeProto and its Dim
constexpr uint32_t kShapeDim = 2;
constexpr uint32_t kShapeUnknownRank = 3;
constexpr uint32_t kDimSize = 1;
// tensorflow.DataType
enum DataType : uint64_t {
  kDtFloat = 1,
  kDtDouble = 2,
  kDtInt32 = 3,
  kDtUint8 = 4,
  kDtInt16 = 5,
  kDtInt8 = 6,
  kDtInt64 = 9,
  kDtBfloat16 = 14,
  kDtUint16 = 17,
  kDtHalf = 19,
};

// IEEE 754 binary16 to double, subnormals, infinities and NaN included.
double HalfToDouble(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1u;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  double magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<double>(mantissa), -24);
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  } else {
    magnitude = std::ldexp(static_cast<double>(mantissa | 0x400u), static_cast<int>(exponent) - 25);
  }
  return sign ? -magnitude : magnitude;
}

// bfloat16 is the top half of a float32.
double Bfloat16ToDouble(uint16_t b) { return std::bit_cast<float>(uint32_t{b} << 16); }

uint64_t LoadLe(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes.size(); ++i) v |= uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return v;
}

// One repeated *_val field: how many elements it held and the first one's raw bits.
struct RepeatedVals {
  uint64_t count = 0;
  uint64_t first = 0;
  void Add(uint64_t v) {
    if (count++ == 0) first = v;
  }
};

// What a TensorProto says, as far as picking out a one-element numeric tensor needs. Decoding
// several occurrences of the field into one state merges them as protobuf does.
struct TensorState {
  uint64_t dtype = 0;
  bool one_element = true;  // every dim has size 1 (no dims: rank 0) and the rank is known
  std::string_view content;
  RepeatedVals float_val, double_val, int_val, int64_val, half_val;
};

Status Malformed(const char* message_name, const WireReader& reader) {
  return Corrupt(std::string("malformed Event (") + message_name + "): " + reader.error());
}

Status Malformed(const char* message_name, const char* what) {
  return Corrupt(std::string("malformed Event (") + message_name + "): " + what);
}

Status DecodeShape(std::string_view bytes, TensorState& t) {
  WireReader reader(bytes);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == kShapeDim && f.type == WireType::kLengthDelimited) {
      uint64_t size = 0;  // proto3 default: a Dim without size has size 0
      WireReader dim(f.bytes);
      WireField d;
      while (dim.Next(d)) {
        if (d.number == kDimSize && d.type == WireType::kVarint) size = d.value;
      }
      if (!dim.ok()) return Malformed("TensorShapeProto.Dim", dim);
      if (size != 1) t.one_element = false;
    } else if (f.number == kShapeUnknownRank && f.type == WireType::kVarint) {
      if (f.value != 0) t.one_element = false;
    }
  }
  if (!reader.ok()) return Malformed("TensorShapeProto", reader);
  return Status::Ok();
}

Status DecodeTensor(std::string_view bytes, TensorState& t) {
  WireReader reader(bytes);
  WireField f;
  while (reader.Next(f)) {
    bool ok = true;
    switch (f.number) {
      case kTensorDtype:
        if (f.type == WireType::kVarint) t.dtype = f.value;
        break;
      case kTensorShape:
        if (f.type == WireType::kLengthDelimited) TRAIL_RETURN_IF_ERROR(DecodeShape(f.bytes, t));
        break;
      case kTensorContent:
        if (f.type == WireType::kLengthDelimited) t.content = f.bytes;
        break;
      case kTensorFloatVal:
        ok = ForEachRepeated(f, WireType::kFixed32, [&](uint64_t v) { t.float_val.Add(v); });
        break;
      case kTensorDoubleVal:
        ok = ForEachRepeated(f, WireType::kFixed64, [&](uint64_t v) { t.double_val.Add(v); });
        break;
      case kTensorIntVal:
        ok = ForEachRepeated(f, WireType::kVarint, [&](uint64_t v) { t.int_val.Add(v); });
        break;
      case kTensorInt64Val:
        ok = ForEachRepeated(f, WireType::kVarint, [&](uint64_t v) { t.int64_val.Add(v); });
        break;
      case kTensorHalfVal:
        ok = ForEachRepeated(f, WireType::kVarint, [&](uint64_t v) { t.half_val.Add(v); });
        break;
      default:
        break;
    }
    // A repeated field with a wire type that fits neither form is an unknown field to protobuf;
    // only a packed run cut mid-element is malformed.
    if (!ok && f.type == WireType::kLengthDelimited) return Malformed("TensorProto", "truncated packed element");
  }
  if (!reader.ok()) return Malformed("TensorProto", reader);
  return Status::Ok();
}

// The value of a one-element numeric tensor, or nullopt for anything else. As TensorFlow does,
// tensor_content wins when present, and a tensor with neither content nor values is zero.
// Where a numeric dtype's value is: its width in tensor_content, and its typed *_val field.
struct Layout {
  size_t width;
  RepeatedVals TensorState::*vals;
};

std::optional<Layout> LayoutOf(uint64_t dtype) {
  switch (dtype) {
    case kDtFloat:
      return Layout{4, &TensorState::float_val};
    case kDtDouble:
      return Layout{8, &TensorState::double_val};
    case kDtInt32:
      return Layout{4, &TensorState::int_val};
    case kDtInt16:
    case kDtUint16:
      return Layout{2, &TensorState::int_val};
    case kDtInt8:
    case kDtUint8:
      return Layout{1, &TensorState::int_val};
    case kDtInt64:
      return Layout{8, &TensorState::int64_val};
    case kDtHalf:
    case kDtBfloat16:
      return Layout{2, &TensorState::half_val};
    default:
      return std::nullopt;  // strings, bools, complex, quantized, resources, ...
  }
}

std::optional<double> TensorScalar(const TensorState& t) {
  if (!t.one_element) return std::nullopt;
  const std::optional<Layout> layout = LayoutOf(t.dtype);
  if (!layout) return std::nullopt;
  const size_t width = layout->width;
  const RepeatedVals* vals = &(t.*(layout->vals));
  uint64_t bits;
  if (!t.content.empty()) {
    if (t.content.size() != width) return std::nullopt;
    bits = LoadLe(t.content);
  } else if (vals->count == 0) {
    bits = 0;
  } else if (vals->count == 1) {
    bits = vals->first;
  } else {
    return std::nullopt;
  }
  switch (t.dtype) {
    case kDtFloat:
      return std::bit_cast<float>(static_cast<uint32_t>(bits));
    case kDtDouble:
      return std::bit_cast<double>(bits);
    // int_val holds int32 values (sign-extended on the wire); content holds the type's own width.
    case kDtInt32:
      return static_cast<int32_t>(static_cast<uint32_t>(bits));
    case kDtInt16:
      return static_cast<int16_t>(static_cast<uint16_t>(bits));
    case kDtUint16:
      return static_cast<uint16_t>(bits);
    case kDtInt8:
      return static_cast<int8_t>(static_cast<uint8_t>(bits));
    case kDtUint8:
      return static_cast<uint8_t>(bits);
    case kDtInt64:
      return static_cast<double>(static_cast<int64_t>(bits));
    case kDtHalf:
      return HalfToDouble(static_cast<uint16_t>(bits));
    case kDtBfloat16:
      return Bfloat16ToDouble(static_cast<uint16_t>(bits));
    default:
      return std::nullopt;
  }
}

}  // namespace

EventDecoder::PluginKind EventDecoder::RememberedKind(std::string_view tag) const {
  auto it = tag_is_scalar_.find(tag);
  if (it == tag_is_scalar_.end()) return PluginKind::kUnknown;
  return it->second ? PluginKind::kScalar : PluginKind::kOther;
}

Status EventDecoder::DecodeValue(std::string_view value, int64_t step, double wall_time,
                                 std::vector<ScalarEvent>& out) {
  enum class Held { kNone, kSimple, kTensor, kOther };  // the oneof `value`: the last one set wins
  Held held = Held::kNone;
  std::string_view tag;
  float simple = 0;
  TensorState tensor;
  std::string_view plugin_name;
  bool metadata_says_scalar = false;

  WireReader reader(value);
  WireField f;
  while (reader.Next(f)) {
    switch (f.number) {
      case kValueTag:
        if (f.type == WireType::kLengthDelimited) tag = f.bytes;
        break;
      case kValueSimpleValue:
        if (f.type == WireType::kFixed32) {
          simple = std::bit_cast<float>(static_cast<uint32_t>(f.value));
          held = Held::kSimple;
        }
        break;
      case kValueTensor:
        if (f.type == WireType::kLengthDelimited) {
          if (held != Held::kTensor) tensor = TensorState{};  // a new oneof case starts empty
          TRAIL_RETURN_IF_ERROR(DecodeTensor(f.bytes, tensor));
          held = Held::kTensor;
        }
        break;
      case kValueMetadata:
        if (f.type == WireType::kLengthDelimited) {
          WireReader meta(f.bytes);
          WireField m;
          while (meta.Next(m)) {
            if (m.number == kMetadataPluginData && m.type == WireType::kLengthDelimited) {
              WireReader plugin(m.bytes);
              WireField p;
              while (plugin.Next(p)) {
                if (p.number == kPluginName && p.type == WireType::kLengthDelimited) plugin_name = p.bytes;
              }
              if (!plugin.ok()) return Malformed("SummaryMetadata.PluginData", plugin);
            } else if (m.number == kMetadataDataClass && m.type == WireType::kVarint) {
              metadata_says_scalar = m.value == kDataClassScalar;
            }
          }
          if (!meta.ok()) return Malformed("SummaryMetadata", meta);
        }
        break;
      case 3:
      case 4:
      case 5:
      case 6:  // old-style histogram, image, histo, audio
        held = Held::kOther;
        break;
      default:
        break;
    }
  }
  if (!reader.ok()) return Malformed("Summary.Value", reader);

  // What this value's metadata says about its plugin, remembered for the tag's later values.
  PluginKind kind = PluginKind::kUnknown;
  if (plugin_name == "scalars" || metadata_says_scalar) {
    kind = PluginKind::kScalar;
  } else if (!plugin_name.empty()) {
    kind = PluginKind::kOther;
  }
  if (kind != PluginKind::kUnknown) {
    auto it = tag_is_scalar_.find(tag);
    if (it == tag_is_scalar_.end()) {
      tag_is_scalar_.emplace(std::string(tag), kind == PluginKind::kScalar);
    } else {
      it->second = kind == PluginKind::kScalar;
    }
  }

  if (tag.empty()) return Status::Ok();  // nothing to name the metric by
  if (held == Held::kSimple) {
    out.push_back(ScalarEvent{tag, step, wall_time, simple});
  } else if (held == Held::kTensor) {
    if (kind == PluginKind::kUnknown) kind = RememberedKind(tag);
    if (kind == PluginKind::kOther) return Status::Ok();
    if (std::optional<double> v = TensorScalar(tensor)) out.push_back(ScalarEvent{tag, step, wall_time, *v});
  }
  return Status::Ok();
}

Status EventDecoder::Decode(std::string_view record, std::vector<ScalarEvent>& out) {
  out.clear();
  summaries_.clear();
  double wall_time = 0;
  int64_t step = 0;

  // Step and time may follow the summary on the wire, so collect summaries first.
  WireReader reader(record);
  WireField f;
  while (reader.Next(f)) {
    if (f.number == kEventWallTime && f.type == WireType::kFixed64) {
      wall_time = std::bit_cast<double>(f.value);
    } else if (f.number == kEventStep && f.type == WireType::kVarint) {
      step = static_cast<int64_t>(f.value);
    } else if (f.number == kEventSummary && f.type == WireType::kLengthDelimited) {
      summaries_.push_back(f.bytes);  // repeated occurrences merge: their values concatenate
    } else if (f.number >= kEventWhatFirst && f.number <= kEventWhatLast && f.type == WireType::kLengthDelimited) {
      summaries_.clear();  // another member of the oneof `what` (all length-delimited) replaces it
    }
  }
  if (!reader.ok()) return Malformed("Event", reader);

  for (std::string_view summary : summaries_) {
    WireReader values(summary);
    WireField v;
    while (values.Next(v)) {
      if (v.number == kSummaryValue && v.type == WireType::kLengthDelimited) {
        TRAIL_RETURN_IF_ERROR(DecodeValue(v.bytes, step, wall_time, out));
      }
    }
    if (!values.ok()) return Malformed("Summary", values);
  }
  return Status::Ok();
}

bool EventPrefixHasSummary(std::string_view prefix) {
  // Only the first length-delimited field matters: wall_time and step come before it in every
  // writer's output, and the payload field is one of the oneof `what`.
  while (!prefix.empty()) {
    uint64_t key;
    if (!ConsumeVarint(prefix, key)) return false;
    const auto type = static_cast<WireType>(key & 7u);
    if (type == WireType::kLengthDelimited) return (key >> 3) == kEventSummary;
    uint64_t ignored;
    if (type == WireType::kVarint) {
      if (!ConsumeVarint(prefix, ignored)) return false;
    } else if (type == WireType::kFixed64 || type == WireType::kFixed32) {
      const size_t width = type == WireType::kFixed64 ? 8 : 4;
      if (prefix.size() < width) return false;
      prefix.remove_prefix(width);
    } else {
      return false;
    }
  }
  return false;
}

}  // namespace trail::ingest
