#include "model/values.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "base/sha256.h"

namespace trail::model {
namespace {

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // x86-64 and arm64 are little-endian, as the stream is
  return v;
}

double HalfToDouble(uint16_t h) {
  const int sign = (h >> 15) & 1;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double v;
  if (exponent == 0) {
    v = std::ldexp(static_cast<double>(mantissa), -24);  // subnormal
  } else if (exponent == 31) {
    v = mantissa == 0 ? INFINITY : NAN;
  } else {
    v = std::ldexp(static_cast<double>(mantissa | 0x400), exponent - 25);
  }
  return sign ? -v : v;
}

}  // namespace

void ToDoubles(DType dtype, const char* bytes, size_t count, double* out) {
  switch (dtype) {
    case DType::kBool:
      for (size_t i = 0; i < count; ++i) out[i] = bytes[i] != 0 ? 1.0 : 0.0;
      return;
    case DType::kInt8:
      for (size_t i = 0; i < count; ++i) out[i] = Load<int8_t>(bytes + i);
      return;
    case DType::kUInt8:
      for (size_t i = 0; i < count; ++i) out[i] = Load<uint8_t>(bytes + i);
      return;
    case DType::kInt16:
      for (size_t i = 0; i < count; ++i) out[i] = Load<int16_t>(bytes + 2 * i);
      return;
    case DType::kUInt16:
      for (size_t i = 0; i < count; ++i) out[i] = Load<uint16_t>(bytes + 2 * i);
      return;
    case DType::kInt32:
      for (size_t i = 0; i < count; ++i) out[i] = Load<int32_t>(bytes + 4 * i);
      return;
    case DType::kUInt32:
      for (size_t i = 0; i < count; ++i) out[i] = Load<uint32_t>(bytes + 4 * i);
      return;
    case DType::kInt64:
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<double>(Load<int64_t>(bytes + 8 * i));
      return;
    case DType::kUInt64:
      for (size_t i = 0; i < count; ++i) out[i] = static_cast<double>(Load<uint64_t>(bytes + 8 * i));
      return;
    case DType::kFloat16:
      for (size_t i = 0; i < count; ++i) out[i] = HalfToDouble(Load<uint16_t>(bytes + 2 * i));
      return;
    case DType::kBFloat16:
      for (size_t i = 0; i < count; ++i) {
        out[i] = std::bit_cast<float>(static_cast<uint32_t>(Load<uint16_t>(bytes + 2 * i)) << 16);
      }
      return;
    case DType::kFloat32:
      for (size_t i = 0; i < count; ++i) out[i] = Load<float>(bytes + 4 * i);
      return;
    case DType::kFloat64:
      for (size_t i = 0; i < count; ++i) out[i] = Load<double>(bytes + 8 * i);
      return;
    case DType::kComplex64:
      for (size_t i = 0; i < count; ++i) out[i] = Load<float>(bytes + 8 * i);
      return;
    case DType::kComplex128:
      for (size_t i = 0; i < count; ++i) out[i] = Load<double>(bytes + 16 * i);
      return;
    case DType::kOther:
      return;
  }
}

Status ForEachChunk(ModelFile& file, size_t index, const std::function<Status(std::string_view raw)>& sink) {
  const TensorInfo& tensor = file.info().tensors.at(index);
  const size_t width = DTypeSize(tensor.dtype);
  if (width == 0) return FailedPrecondition(tensor.name + ": dtype " + tensor.dtype_name + " has no values to read");
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> stream, file.OpenTensor(index));
  std::vector<char> buf(kValueChunkBytes - kValueChunkBytes % width);
  size_t filled = 0;
  uint64_t total = 0;
  const uint64_t expected = tensor.elements * width;
  for (;;) {
    TRAIL_ASSIGN_OR_RETURN(size_t got, stream->Read(buf.data() + filled, buf.size() - filled));
    filled += got;
    total += got;
    if (total > expected) return Corrupt(tensor.name + ": more value bytes than its shape holds");
    const bool end = got == 0;
    if (filled == buf.size() || (end && filled > 0)) {
      if (filled % width != 0) return Corrupt(tensor.name + ": values end inside an element");
      TRAIL_RETURN_IF_ERROR(sink(std::string_view(buf.data(), filled)));
      filled = 0;
    }
    if (end) break;
  }
  if (total != expected) {
    return Corrupt(tensor.name + ": " + std::to_string(total) + " value bytes, its shape needs " +
                   std::to_string(expected));
  }
  return Status::Ok();
}

Status ComputeChecksums(ModelFile& file) {
  for (size_t i = 0; i < file.info().tensors.size(); ++i) {
    if (DTypeSize(file.info().tensors[i].dtype) == 0) continue;
    Sha256 hash;
    TRAIL_RETURN_IF_ERROR(ForEachChunk(file, i, [&](std::string_view raw) {
      hash.Update(raw);
      return Status::Ok();
    }));
    const Sha256Digest digest = hash.Final();
    file.mutable_info().tensors[i].checksum =
        HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), 16));
  }
  return Status::Ok();
}

}  // namespace trail::model
