#include "model/tf_types.h"

#include <iterator>
#include <limits>

#include "base/proto_wire.h"

namespace trail::model {

DType DTypeFromTf(uint64_t tf_enum, std::string* name) {
  if (tf_enum > 100 && tf_enum < 200) tf_enum -= 100;  // DT_FLOAT_REF and friends
  DType dtype = DType::kOther;
  const char* other = nullptr;
  switch (tf_enum) {
    case 1:
      dtype = DType::kFloat32;
      break;
    case 2:
      dtype = DType::kFloat64;
      break;
    case 3:
      dtype = DType::kInt32;
      break;
    case 4:
      dtype = DType::kUInt8;
      break;
    case 5:
      dtype = DType::kInt16;
      break;
    case 6:
      dtype = DType::kInt8;
      break;
    case 7:
      other = "string";
      break;
    case 8:
      dtype = DType::kComplex64;
      break;
    case 9:
      dtype = DType::kInt64;
      break;
    case 10:
      dtype = DType::kBool;
      break;
    case 11:
      other = "qint8";
      break;
    case 12:
      other = "quint8";
      break;
    case 13:
      other = "qint32";
      break;
    case 14:
      dtype = DType::kBFloat16;
      break;
    case 15:
      other = "qint16";
      break;
    case 16:
      other = "quint16";
      break;
    case 17:
      dtype = DType::kUInt16;
      break;
    case 18:
      dtype = DType::kComplex128;
      break;
    case 19:
      dtype = DType::kFloat16;
      break;
    case 20:
      other = "resource";
      break;
    case 21:
      other = "variant";
      break;
    case 22:
      dtype = DType::kUInt32;
      break;
    case 23:
      dtype = DType::kUInt64;
      break;
    case 24:
      other = "float8_e5m2";
      break;
    case 25:
      other = "float8_e4m3fn";
      break;
    case 29:
      other = "int4";
      break;
    case 30:
      other = "uint4";
      break;
    default:
      break;
  }
  if (dtype != DType::kOther) {
    *name = std::string(DTypeName(dtype));
  } else {
    *name = other != nullptr ? other : "dtype_" + std::to_string(tf_enum);
  }
  return dtype;
}

bool TfDataTypeFromName(std::string_view name, uint64_t* value) {
  // types.proto's names, by value; gaps are values it does not define.
  static constexpr std::string_view kNames[] = {
      "",           "FLOAT", "DOUBLE",   "INT32",   "UINT8",  "INT16",    "INT8",        "STRING",        "COMPLEX64",
      "INT64",      "BOOL",  "QINT8",    "QUINT8",  "QINT32", "BFLOAT16", "QINT16",      "QUINT16",       "UINT16",
      "COMPLEX128", "HALF",  "RESOURCE", "VARIANT", "UINT32", "UINT64",   "FLOAT8_E5M2", "FLOAT8_E4M3FN", "",
      "",           "",      "INT4",     "UINT4"};
  if (!name.starts_with("DT_")) return false;
  name.remove_prefix(3);
  uint64_t ref = 0;
  if (name.ends_with("_REF")) {
    name.remove_suffix(4);
    ref = 100;
  }
  for (size_t i = 1; i < std::size(kNames); ++i) {
    if (!kNames[i].empty() && kNames[i] == name) {
      *value = i + ref;
      return true;
    }
  }
  return false;
}

bool ParseTensorShape(std::string_view bytes, std::vector<int64_t>* dims, bool* known) {
  dims->clear();
  *known = true;
  WireReader reader(bytes);
  WireField field;
  while (reader.Next(field)) {
    if (field.number == 2 && field.type == WireType::kLengthDelimited) {  // Dim
      int64_t size = 0;
      WireReader dim(field.bytes);
      WireField f;
      while (dim.Next(f)) {
        if (f.number == 1 && f.type == WireType::kVarint) size = static_cast<int64_t>(f.value);
      }
      if (!dim.ok() || size < -1) return false;
      dims->push_back(size);
    } else if (field.number == 3 && field.type == WireType::kVarint) {
      *known = field.value == 0;
    }
  }
  if (!*known) dims->clear();
  return reader.ok();
}

bool ElementCount(const std::vector<int64_t>& dims, uint64_t* elements) {
  uint64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return false;
    const uint64_t dim = static_cast<uint64_t>(d);
    if (dim != 0 && n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / dim) return false;
    n *= dim;
  }
  *elements = n;
  return true;
}

bool ParseBundleHeader(std::string_view bytes, BundleHeader* header) {
  WireReader reader(bytes);
  WireField field;
  while (reader.Next(field)) {
    if (field.number == 1 && field.type == WireType::kVarint) {
      header->num_shards = static_cast<int32_t>(field.value);
    } else if (field.number == 2 && field.type == WireType::kVarint) {
      header->big_endian = field.value == 1;
    } else if (field.number == 3 && field.type == WireType::kLengthDelimited) {
      WireReader version(field.bytes);
      WireField f;
      while (version.Next(f)) {
        if (f.number == 1 && f.type == WireType::kVarint) header->version = static_cast<int32_t>(f.value);
      }
      if (!version.ok()) return false;
    }
  }
  return reader.ok();
}

bool ParseBundleEntry(std::string_view bytes, BundleEntry* entry) {
  WireReader reader(bytes);
  WireField field;
  while (reader.Next(field)) {
    switch (field.number) {
      case 1:
        if (field.type == WireType::kVarint) entry->dtype = field.value;
        break;
      case 2:
        if (field.type == WireType::kLengthDelimited &&
            !ParseTensorShape(field.bytes, &entry->shape, &entry->shape_known)) {
          return false;
        }
        break;
      case 3:
        if (field.type == WireType::kVarint) entry->shard_id = static_cast<int32_t>(field.value);
        break;
      case 4:
        if (field.type == WireType::kVarint) entry->offset = static_cast<int64_t>(field.value);
        break;
      case 5:
        if (field.type == WireType::kVarint) entry->size = static_cast<int64_t>(field.value);
        break;
      case 6:
        if (field.type == WireType::kFixed32) entry->crc32c = static_cast<uint32_t>(field.value);
        break;
      case 7:
        if (field.type == WireType::kLengthDelimited) entry->slices.emplace_back(field.bytes);
        break;
      default:
        break;
    }
  }
  return reader.ok();
}

}  // namespace trail::model
