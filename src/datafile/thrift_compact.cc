#include "datafile/thrift_compact.h"

namespace trail::datafile {
namespace {

// Deeper nesting than any Parquet footer has (about 5 levels); beyond it the input is garbage.
constexpr int kMaxDepth = 64;

}  // namespace

bool ThriftCompactReader::Fail(const std::string& what) {
  if (error_.empty()) error_ = what + " at byte " + std::to_string(pos_);
  return false;
}

bool ThriftCompactReader::ReadByte(uint8_t* value) {
  if (pos_ >= data_.size()) return Fail("unexpected end");
  *value = static_cast<uint8_t>(data_[pos_++]);
  return true;
}

bool ThriftCompactReader::ReadVarint(uint64_t* value) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t b;
    if (!ReadByte(&b)) return false;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *value = v;
      return true;
    }
  }
  return Fail("varint longer than 10 bytes");
}

bool ThriftCompactReader::ReadI64(int64_t* value) {
  uint64_t z;
  if (!ReadVarint(&z)) return false;
  *value = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  return true;
}

bool ThriftCompactReader::SkipBytes(uint64_t n) {
  if (n > data_.size() - pos_) return Fail("length " + std::to_string(n) + " runs past the end");
  pos_ += static_cast<size_t>(n);
  return true;
}

bool ThriftCompactReader::ReadFieldHeader(int16_t last_id, int16_t* id, ThriftType* type) {
  uint8_t b;
  if (!ReadByte(&b)) return false;
  *type = static_cast<ThriftType>(b & 0x0f);
  if (*type == ThriftType::kStop) {
    *id = 0;
    return true;
  }
  if ((b & 0x0f) > static_cast<uint8_t>(ThriftType::kStruct)) return Fail("unknown type " + std::to_string(b & 0x0f));
  int delta = b >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_id + delta);
  } else {
    int64_t v;
    if (!ReadI64(&v)) return false;
    *id = static_cast<int16_t>(v);
  }
  return true;
}

// A list or set element, or a map key/value: bools take one byte here, unlike in field headers.
bool ThriftCompactReader::SkipElement(ThriftType type, int depth) {
  if (type == ThriftType::kBoolTrue || type == ThriftType::kBoolFalse) return SkipBytes(1);
  return Skip(type, depth);
}

bool ThriftCompactReader::Skip(ThriftType type, int depth) {
  if (depth > kMaxDepth) return Fail("nesting deeper than " + std::to_string(kMaxDepth));
  uint64_t u;
  switch (type) {
    case ThriftType::kBoolTrue:
    case ThriftType::kBoolFalse:
      return true;
    case ThriftType::kByte:
      return SkipBytes(1);
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64:
      return ReadVarint(&u);
    case ThriftType::kDouble:
      return SkipBytes(8);
    case ThriftType::kBinary:
      return ReadVarint(&u) && SkipBytes(u);
    case ThriftType::kList:
    case ThriftType::kSet: {
      uint8_t h;
      if (!ReadByte(&h)) return false;
      uint64_t count = h >> 4;
      if (count == 15 && !ReadVarint(&count)) return false;
      auto elem = static_cast<ThriftType>(h & 0x0f);
      if ((h & 0x0f) > static_cast<uint8_t>(ThriftType::kStruct) || elem == ThriftType::kStop) {
        return Fail("bad list element type");
      }
      // Every element takes at least one byte: a count beyond the bytes left is garbage.
      if (count > data_.size() - pos_) return Fail("list of " + std::to_string(count) + " elements");
      for (uint64_t i = 0; i < count; ++i) {
        if (!SkipElement(elem, depth + 1)) return false;
      }
      return true;
    }
    case ThriftType::kMap: {
      uint64_t count;
      if (!ReadVarint(&count)) return false;
      if (count == 0) return true;
      uint8_t kv;
      if (!ReadByte(&kv)) return false;
      auto key = static_cast<ThriftType>(kv >> 4), value = static_cast<ThriftType>(kv & 0x0f);
      if ((kv >> 4) > 12 || (kv & 0x0f) > 12 || key == ThriftType::kStop || value == ThriftType::kStop) {
        return Fail("bad map types");
      }
      if (count > (data_.size() - pos_) / 2) return Fail("map of " + std::to_string(count) + " entries");
      for (uint64_t i = 0; i < count; ++i) {
        if (!SkipElement(key, depth + 1) || !SkipElement(value, depth + 1)) return false;
      }
      return true;
    }
    case ThriftType::kStruct: {
      int16_t last = 0, id;
      ThriftType t;
      while (true) {
        if (!ReadFieldHeader(last, &id, &t)) return false;
        if (t == ThriftType::kStop) return true;
        if (!Skip(t, depth + 1)) return false;
        last = id;
      }
    }
    case ThriftType::kStop:
      break;
  }
  return Fail("unknown type");
}

}  // namespace trail::datafile
