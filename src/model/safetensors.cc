// safetensors (huggingface/safetensors, "Format"): an 8-byte little-endian header length N, N
// bytes of JSON {"__metadata__": {str: str}, NAME: {"dtype", "shape", "data_offsets": [BEGIN,
// END]}}, then the tensors' bytes, offsets relative to the end of the header, little-endian, C
// order. The header is capped (as the reference implementation caps it at 100 MB) before it is
// read, and every tensor's offsets and size are checked against its shape and the file.
#include <algorithm>
#include <limits>

#include "model/random_file.h"
#include "model/readers.h"

namespace trail::model {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100 << 20;

struct Placed {
  TensorInfo info;
  uint64_t begin = 0;
};

bool DTypeFromSafetensors(const std::string& name, DType* dtype) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"BOOL", DType::kBool},   {"U8", DType::kUInt8},      {"I8", DType::kInt8},       {"U16", DType::kUInt16},
      {"I16", DType::kInt16},   {"F16", DType::kFloat16},   {"BF16", DType::kBFloat16}, {"U32", DType::kUInt32},
      {"I32", DType::kInt32},   {"F32", DType::kFloat32},   {"U64", DType::kUInt64},    {"I64", DType::kInt64},
      {"F64", DType::kFloat64}, {"C64", DType::kComplex64},
  };
  for (const auto& [text, type] : kTypes) {
    if (name == text) {
      *dtype = type;
      return true;
    }
  }
  return false;
}

class SafetensorsFile : public ModelFile {
 public:
  SafetensorsFile(RandomFile file, uint64_t data_start, std::vector<uint64_t> begins)
      : file_(std::move(file)), data_start_(data_start), begins_(std::move(begins)) {}

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    if (DTypeSize(t.dtype) == 0)
      return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
    return MakeRangeStream(&file_, data_start_ + begins_[index], t.bytes);
  }

 private:
  RandomFile file_;
  uint64_t data_start_;
  std::vector<uint64_t> begins_;
};

}  // namespace

ModelFileOr OpenSafetensors(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(path));
  std::string head;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(0, 8, &head));
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | static_cast<unsigned char>(head[i]);
  if (header_size > kMaxHeaderBytes) {
    return Corrupt(path + ": safetensors header claims " + std::to_string(header_size) + " bytes (at most " +
                   std::to_string(kMaxHeaderBytes) + ")");
  }
  if (header_size > file.size() - 8) {
    return Corrupt(path + ": safetensors header claims " + std::to_string(header_size) + " bytes, the file has " +
                   std::to_string(file.size() - 8) + " after the length");
  }
  std::string text;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(8, static_cast<size_t>(header_size), &text));
  const Json header = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return Corrupt(path + ": safetensors header is not a JSON object");
  const uint64_t data_start = 8 + header_size;
  const uint64_t data_size = file.size() - data_start;

  std::vector<Placed> placed;
  std::string metadata_format;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (entry.is_object() && entry.contains("format") && entry["format"].is_string()) {
        metadata_format = entry["format"].get<std::string>();
      }
      continue;
    }
    const std::string what = path + ": tensor " + name;
    if (!entry.is_object() || !entry.contains("dtype") || !entry["dtype"].is_string() || !entry.contains("shape") ||
        !entry["shape"].is_array() || !entry.contains("data_offsets") || !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2) {
      return Corrupt(what + ": needs dtype, shape and data_offsets [begin, end]");
    }
    Placed p;
    p.info.name = name;
    const std::string dtype = entry["dtype"].get<std::string>();
    if (DTypeFromSafetensors(dtype, &p.info.dtype)) {
      p.info.dtype_name = std::string(DTypeName(p.info.dtype));
    } else {
      p.info.dtype = DType::kOther;
      p.info.dtype_name = dtype;
    }
    uint64_t elements = 1;
    for (const Json& d : entry["shape"]) {
      if (!d.is_number_unsigned()) return Corrupt(what + ": shape holds " + d.dump() + ", not a size");
      const uint64_t dim = d.get<uint64_t>();
      if (dim != 0 && elements > std::numeric_limits<uint64_t>::max() / dim) return Corrupt(what + ": shape overflows");
      elements *= dim;
      p.info.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(dim, std::numeric_limits<int64_t>::max())));
    }
    p.info.elements = elements;
    const Json& offsets = entry["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      return Corrupt(what + ": bad data_offsets");
    p.begin = offsets[0].get<uint64_t>();
    const uint64_t end = offsets[1].get<uint64_t>();
    if (end < p.begin || end > data_size) {
      return Corrupt(what + ": data_offsets [" + std::to_string(p.begin) + ", " + std::to_string(end) +
                     "] lie outside the " + std::to_string(data_size) + " data bytes");
    }
    p.info.bytes = end - p.begin;
    const size_t width = DTypeSize(p.info.dtype);
    if (width != 0 && (elements > p.info.bytes / width || elements * width != p.info.bytes)) {
      return Corrupt(what + ": " + std::to_string(p.info.bytes) + " bytes do not hold shape's " +
                     std::to_string(elements) + " " + p.info.dtype_name + " values");
    }
    placed.push_back(std::move(p));
  }
  // The file's order: tensors as their bytes lie.
  std::stable_sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) { return a.begin < b.begin; });
  std::vector<uint64_t> begins;
  for (const Placed& p : placed) begins.push_back(p.begin);
  auto model = std::make_unique<SafetensorsFile>(std::move(file), data_start, std::move(begins));
  ModelInfo& info = model->mutable_info();
  info.format = "safetensors";
  if (metadata_format == "pt")
    info.framework = "pytorch";
  else if (metadata_format == "tf")
    info.framework = "tensorflow";
  else if (metadata_format == "flax")
    info.framework = "flax";
  else if (metadata_format == "np")
    info.framework = "numpy";
  for (Placed& p : placed) info.tensors.push_back(std::move(p.info));
  Totals(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
