// NumPy .npy (one array) and .npz (a zip of .npy members, stored by np.savez or deflated by
// np.savez_compressed), read by the format NEP 1 and numpy/lib/format.py describe: the header
// through datafile/npy.h (ParseNpyHeader), then elements * itemsize bytes of values.
//
// dtypes: descr "<f4", ">i8", "|b1", "<f2", "<c16" ... map to DType; big-endian values are
// swapped in the stream (complex numbers per component). Object, string, datetime and structured
// dtypes are kOther: listed with their descr, their bytes counted as what follows the header.
//
// Fortran order: an array with at most one dimension above 1 lies the same in both orders. Any
// other Fortran-order array is transposed to C order in memory when its values are at most
// kMaxFortranBytes, and is kOther (listed, no values) with a note when larger, so that memory
// stays bounded.
#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "datafile/npy.h"
#include "model/random_file.h"
#include "model/readers.h"
#include "model/zip_archive.h"

namespace trail::model {
namespace {

constexpr uint64_t kMaxFortranBytes = 32 << 20;

bool NameEndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The dtype of a descr, and whether its values are big-endian. Returns kOther for anything but
// the plain numeric types.
DType DTypeFromDescr(const std::string& descr, bool* big_endian) {
  *big_endian = false;
  if (descr.size() < 3) return DType::kOther;
  const char order = descr[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') return DType::kOther;
  *big_endian = order == '>';
  const char kind = descr[1];
  const std::string size = descr.substr(2);
  static const struct {
    char kind;
    const char* size;
    DType dtype;
  } kTypes[] = {
      {'b', "1", DType::kBool},      {'i', "1", DType::kInt8},        {'u', "1", DType::kUInt8},
      {'i', "2", DType::kInt16},     {'u', "2", DType::kUInt16},      {'i', "4", DType::kInt32},
      {'u', "4", DType::kUInt32},    {'i', "8", DType::kInt64},       {'u', "8", DType::kUInt64},
      {'f', "2", DType::kFloat16},   {'f', "4", DType::kFloat32},     {'f', "8", DType::kFloat64},
      {'c', "8", DType::kComplex64}, {'c', "16", DType::kComplex128},
  };
  for (const auto& t : kTypes) {
    if (t.kind == kind && size == t.size) return t.dtype;
  }
  return DType::kOther;
}

// The byte-swap width of a big-endian dtype: per element, or per component for complex.
size_t SwapWidth(DType dtype) {
  if (dtype == DType::kComplex64 || dtype == DType::kComplex128) return DTypeSize(dtype) / 2;
  return DTypeSize(dtype);
}

// What a .npy header says about its array, and where its values lie relative to the header.
struct NpyArray {
  TensorInfo info;
  uint64_t data_offset = 0;
  size_t swap = 1;
  bool transpose = false;  // Fortran order with more than one dimension above 1
};

// Fills `array` from a parsed header; `available` is how many bytes follow the header.
Status DescribeArray(const datafile::NpyHeader& h, uint64_t available, const std::string& what, NpyArray* array,
                     std::vector<std::string>* notes) {
  std::string descr = h.descr;
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"') && descr.back() == descr.front()) {
    descr = descr.substr(1, descr.size() - 2);
  }
  TensorInfo& t = array->info;
  bool big_endian = false;
  t.dtype = DTypeFromDescr(descr, &big_endian);
  t.dtype_name = t.dtype == DType::kOther ? descr : std::string(DTypeName(t.dtype));
  uint64_t elements = 1;
  int above_one = 0;
  for (uint64_t dim : h.shape) {
    if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        (dim != 0 && elements > std::numeric_limits<uint64_t>::max() / dim)) {
      return Corrupt(what + ": shape overflows");
    }
    elements *= dim;
    if (dim > 1) ++above_one;
    t.shape.push_back(static_cast<int64_t>(dim));
  }
  t.elements = elements;
  array->data_offset = h.data_offset;
  const size_t width = DTypeSize(t.dtype);
  if (width == 0) {
    t.bytes = available;  // the itemsize of an object or structured dtype is not read
    notes->push_back(what + ": dtype " + descr + " has no numeric values");
    return Status::Ok();
  }
  if (elements > available / width) {
    return Corrupt(what + ": shape needs " + std::to_string(elements) + " values of " + t.dtype_name + ", only " +
                   std::to_string(available) + " bytes follow the header");
  }
  t.bytes = elements * width;
  if (big_endian && width > 1) array->swap = SwapWidth(t.dtype);
  if (h.fortran_order && above_one > 1) {
    if (t.bytes > kMaxFortranBytes) {
      notes->push_back(what + ": a Fortran-order array of " + std::to_string(t.bytes) +
                       " bytes is listed without values (over the " + std::to_string(kMaxFortranBytes) +
                       " trail transposes in memory)");
      t.dtype_name += " (Fortran order)";
      t.dtype = DType::kOther;
    } else {
      array->transpose = true;
    }
  }
  return Status::Ok();
}

// Gives a Fortran-order array's values in C order: reads them whole (at most kMaxFortranBytes,
// checked when the array was described) and serves them transposed.
class TransposeStream : public ValueStream {
 public:
  TransposeStream(std::unique_ptr<ValueStream> inner, std::vector<int64_t> shape, size_t width, uint64_t bytes)
      : inner_(std::move(inner)), shape_(std::move(shape)), width_(width), bytes_(bytes), index_(shape_.size()) {}

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    if (!loaded_) TRAIL_RETURN_IF_ERROR(Load());
    size_t n = 0;
    while (n + width_ <= capacity && next_ * width_ < bytes_) {
      // The C-order index next_ as a multi-index (last dimension fastest), then its Fortran offset.
      uint64_t rest = next_, offset = 0, stride = 1;
      for (size_t k = shape_.size(); k-- > 0;) {
        index_[k] = rest % static_cast<uint64_t>(shape_[k]);
        rest /= static_cast<uint64_t>(shape_[k]);
      }
      for (size_t k = 0; k < shape_.size(); ++k) {
        offset += index_[k] * stride;
        stride *= static_cast<uint64_t>(shape_[k]);
      }
      std::memcpy(buf + n, values_.data() + offset * width_, width_);
      n += width_;
      ++next_;
    }
    return n;
  }

 private:
  Status Load() {
    values_.resize(bytes_);
    size_t filled = 0;
    while (filled < bytes_) {
      TRAIL_ASSIGN_OR_RETURN(size_t got, inner_->Read(values_.data() + filled, bytes_ - filled));
      if (got == 0) return Corrupt("a Fortran-order array ends before its values do");
      filled += got;
    }
    loaded_ = true;
    return Status::Ok();
  }

  std::unique_ptr<ValueStream> inner_;
  std::vector<int64_t> shape_;
  size_t width_;
  uint64_t bytes_;
  std::vector<uint64_t> index_;  // the multi-index of next_, reused for every element
  std::vector<char> values_;
  bool loaded_ = false;
  uint64_t next_ = 0;
};

StatusOr<std::unique_ptr<ValueStream>> Wrap(std::unique_ptr<ValueStream> stream, const NpyArray& array) {
  if (!array.transpose) return stream;
  return std::unique_ptr<ValueStream>(std::make_unique<TransposeStream>(std::move(stream), array.info.shape,
                                                                        DTypeSize(array.info.dtype), array.info.bytes));
}

class NpyFile : public ModelFile {
 public:
  NpyFile(RandomFile file, NpyArray array) : file_(std::move(file)), array_(std::move(array)) {}

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    if (DTypeSize(t.dtype) == 0)
      return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
    return Wrap(MakeRangeStream(&file_, array_.data_offset, t.bytes, array_.swap), array_);
  }

 private:
  RandomFile file_;
  NpyArray array_;
};

class NpzFile : public ModelFile {
 public:
  NpzFile(ZipArchive zip, std::vector<NpyArray> arrays, std::vector<ZipMember> members)
      : zip_(std::move(zip)), arrays_(std::move(arrays)), members_(std::move(members)) {}

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    const TensorInfo& t = info_.tensors.at(index);
    if (DTypeSize(t.dtype) == 0)
      return FailedPrecondition(t.name + ": dtype " + t.dtype_name + " has no values to read");
    const NpyArray& a = arrays_.at(index);
    TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> stream,
                           zip_.OpenMember(members_.at(index), a.data_offset, t.bytes, a.swap));
    return Wrap(std::move(stream), a);
  }

 private:
  ZipArchive zip_;
  std::vector<NpyArray> arrays_;
  std::vector<ZipMember> members_;
};

// Reads exactly `n` bytes of a member from its start (n is bounded by the caller).
Status ReadMemberPrefix(const ZipArchive& zip, const ZipMember& m, size_t n, std::string* out) {
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> stream, zip.OpenMember(m, 0, n));
  out->assign(n, '\0');
  size_t filled = 0;
  while (filled < n) {
    TRAIL_ASSIGN_OR_RETURN(size_t got, stream->Read(out->data() + filled, n - filled));
    if (got == 0) return Corrupt(zip.path() + ": member " + m.name + " ends inside its .npy header");
    filled += got;
  }
  return Status::Ok();
}

}  // namespace

ModelFileOr OpenNpy(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(RandomFile file, RandomFile::Open(path));
  std::string prefix;
  TRAIL_RETURN_IF_ERROR(
      file.ReadAt(0, static_cast<size_t>(std::min<uint64_t>(file.size(), datafile::kNpyPrefixSize)), &prefix));
  TRAIL_ASSIGN_OR_RETURN(uint64_t total, datafile::NpyHeaderSize(prefix, path));
  if (total > file.size()) return Corrupt(path + ": .npy header runs past the end of the file");
  std::string bytes;
  TRAIL_RETURN_IF_ERROR(file.ReadAt(0, static_cast<size_t>(total), &bytes));
  TRAIL_ASSIGN_OR_RETURN(datafile::NpyHeader header, datafile::ParseNpyHeader(bytes, path));
  NpyArray array;
  std::vector<std::string> notes;
  TRAIL_RETURN_IF_ERROR(DescribeArray(header, file.size() - header.data_offset, path, &array, &notes));
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (NameEndsWith(name, ".npy")) name.resize(name.size() - 4);
  array.info.name = name;
  TensorInfo tensor = array.info;
  auto model = std::make_unique<NpyFile>(std::move(file), std::move(array));
  ModelInfo& info = model->mutable_info();
  info.format = "npy";
  info.framework = "numpy";
  info.tensors.push_back(std::move(tensor));
  info.notes = std::move(notes);
  Totals(info);
  return ModelFileOr(std::move(model));
}

ModelFileOr OpenNpz(const std::string& path) {
  TRAIL_ASSIGN_OR_RETURN(ZipArchive zip, ZipArchive::Open(path));
  std::vector<NpyArray> arrays;
  std::vector<ZipMember> members;
  std::vector<std::string> notes;
  for (const ZipMember& m : zip.members()) {
    const std::string what = path + ": member " + m.name;
    if (!NameEndsWith(m.name, ".npy")) {
      notes.push_back(what + " is not a .npy array; skipped");
      continue;
    }
    std::string prefix;
    TRAIL_RETURN_IF_ERROR(
        ReadMemberPrefix(zip, m, static_cast<size_t>(std::min<uint64_t>(m.size, datafile::kNpyPrefixSize)), &prefix));
    TRAIL_ASSIGN_OR_RETURN(uint64_t total, datafile::NpyHeaderSize(prefix, what));
    if (total > m.size) return Corrupt(what + ": .npy header runs past the end of the member");
    std::string bytes;
    TRAIL_RETURN_IF_ERROR(ReadMemberPrefix(zip, m, static_cast<size_t>(total), &bytes));
    TRAIL_ASSIGN_OR_RETURN(datafile::NpyHeader header, datafile::ParseNpyHeader(bytes, what));
    NpyArray array;
    TRAIL_RETURN_IF_ERROR(DescribeArray(header, m.size - header.data_offset, what, &array, &notes));
    array.info.name = m.name.substr(0, m.name.size() - 4);
    arrays.push_back(std::move(array));
    members.push_back(m);
  }
  std::vector<TensorInfo> tensors;
  for (const NpyArray& a : arrays) tensors.push_back(a.info);
  auto model = std::make_unique<NpzFile>(std::move(zip), std::move(arrays), std::move(members));
  ModelInfo& info = model->mutable_info();
  info.format = "npz";
  info.framework = "numpy";
  info.tensors = std::move(tensors);
  info.notes = std::move(notes);
  Totals(info);
  return ModelFileOr(std::move(model));
}

}  // namespace trail::model
