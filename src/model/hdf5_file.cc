#include "model/hdf5_file.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "model/hdf5_child.h"

namespace trail::model {
namespace {

// Closes an HDF5 identifier at scope exit with the function that matches its kind.
class Id {
 public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0) close_(id_);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }
  hid_t release() { return std::exchange(id_, -1); }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

// Whether every component of `path` is a hard link (absolute paths from the root).
bool HardPath(hid_t file, const std::string& path) {
  std::string prefix;
  size_t i = 0;
  while (i < path.size()) {
    const size_t slash = path.find('/', i);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > i) {
      prefix += "/" + path.substr(i, end - i);
      if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
      H5L_info_t info;
      if (H5Lget_info(file, prefix.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5L_TYPE_HARD) return false;
    }
    i = end + 1;
  }
  return true;
}

std::string JoinH5Path(const std::string& group, const std::string& name) {
  return group == "/" ? "/" + name : group + "/" + name;
}

// The DType of a dataset's file type and, for a numeric one, the memory type (little-endian, the
// stream's layout) to read it with; -1 for kOther. `name` is the DTypeName or the HDF5 class.
struct Classified {
  DType dtype = DType::kOther;
  std::string name;
  hid_t memtype = -1;
};

Classified Classify(hid_t type) {
  Classified c;
  const H5T_class_t cls = H5Tget_class(type);
  const size_t size = H5Tget_size(type);
  auto set = [&](DType dtype, hid_t memtype) {
    c.dtype = dtype;
    c.name = std::string(DTypeName(dtype));
    c.memtype = memtype;
  };
  switch (cls) {
    case H5T_INTEGER: {
      const bool sign = H5Tget_sign(type) == H5T_SGN_2;
      if (size == 1) set(sign ? DType::kInt8 : DType::kUInt8, H5Tcopy(sign ? H5T_STD_I8LE : H5T_STD_U8LE));
      if (size == 2) set(sign ? DType::kInt16 : DType::kUInt16, H5Tcopy(sign ? H5T_STD_I16LE : H5T_STD_U16LE));
      if (size == 4) set(sign ? DType::kInt32 : DType::kUInt32, H5Tcopy(sign ? H5T_STD_I32LE : H5T_STD_U32LE));
      if (size == 8) set(sign ? DType::kInt64 : DType::kUInt64, H5Tcopy(sign ? H5T_STD_I64LE : H5T_STD_U64LE));
      if (c.memtype < 0) c.name = "integer" + std::to_string(size * 8);
      return c;
    }
    case H5T_FLOAT: {
      if (size == 4) {
        set(DType::kFloat32, H5Tcopy(H5T_IEEE_F32LE));
      } else if (size == 8) {
        set(DType::kFloat64, H5Tcopy(H5T_IEEE_F64LE));
      } else if (size == 2) {
        // h5py's float16 is IEEE half; bfloat16 is float32's top half. Read either as stored, in
        // little-endian order; any other 2-byte layout is not converted.
        size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
        H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize);
        const size_t bias = H5Tget_ebias(type);
        DType dtype = DType::kOther;
        if (spos == 15 && epos == 10 && esize == 5 && mpos == 0 && msize == 10 && bias == 15) dtype = DType::kFloat16;
        if (spos == 15 && epos == 7 && esize == 8 && mpos == 0 && msize == 7 && bias == 127) dtype = DType::kBFloat16;
        if (dtype != DType::kOther) {
          const hid_t memtype = H5Tcopy(type);
          H5Tset_order(memtype, H5T_ORDER_LE);
          set(dtype, memtype);
        }
      }
      if (c.memtype < 0) c.name = "float" + std::to_string(size * 8);
      return c;
    }
    case H5T_ENUM: {
      // h5py stores numpy's bool as a 1-byte enum {FALSE: 0, TRUE: 1}.
      char first[8] = {}, second[8] = {};
      if (size == 1 && H5Tget_nmembers(type) == 2 && H5Tenum_nameof(type, "\0", first, sizeof first) >= 0 &&
          std::strcmp(first, "FALSE") == 0) {
        const char one = 1;
        if (H5Tenum_nameof(type, &one, second, sizeof second) >= 0 && std::strcmp(second, "TRUE") == 0) {
          set(DType::kBool, H5Tcopy(type));
          return c;
        }
      }
      c.name = "enum";
      return c;
    }
    case H5T_COMPOUND: {
      // h5py's complex numbers: a compound {r, i} of two floats of one size.
      if (H5Tget_nmembers(type) == 2 && size <= 32) {
        char* r = H5Tget_member_name(type, 0);
        char* i = H5Tget_member_name(type, 1);
        const bool names = r != nullptr && i != nullptr && std::strcmp(r, "r") == 0 && std::strcmp(i, "i") == 0;
        H5free_memory(r);
        H5free_memory(i);
        Id rt(H5Tget_member_type(type, 0), H5Tclose), it(H5Tget_member_type(type, 1), H5Tclose);
        if (names && rt.ok() && it.ok() && H5Tget_class(rt.get()) == H5T_FLOAT && H5Tget_class(it.get()) == H5T_FLOAT) {
          const size_t part = H5Tget_size(rt.get());
          if ((part == 4 || part == 8) && H5Tget_size(it.get()) == part) {
            const hid_t memtype = H5Tcreate(H5T_COMPOUND, 2 * part);
            const hid_t f = part == 4 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
            H5Tinsert(memtype, "r", 0, f);
            H5Tinsert(memtype, "i", part, f);
            set(part == 4 ? DType::kComplex64 : DType::kComplex128, memtype);
            return c;
          }
        }
      }
      c.name = "compound";
      return c;
    }
    case H5T_STRING:
      c.name = "string";
      return c;
    case H5T_BITFIELD:
      c.name = "bitfield";
      return c;
    case H5T_OPAQUE:
      c.name = "opaque";
      return c;
    case H5T_REFERENCE:
      c.name = "reference";
      return c;
    case H5T_VLEN:
      c.name = "vlen";
      return c;
    case H5T_ARRAY:
      c.name = "array";
      return c;
    default:
      c.name = "unknown";
      return c;
  }
}

// Splits a fixed-length string buffer of `count` strings of `size` bytes each.
std::vector<std::string> SplitFixed(const std::vector<char>& buf, size_t count, size_t size, bool space_pad) {
  std::vector<std::string> out;
  for (size_t k = 0; k < count; ++k) {
    std::string s(buf.data() + k * size, size);
    const size_t nul = s.find('\0');
    if (nul != std::string::npos) s.resize(nul);
    if (space_pad) {
      while (!s.empty() && s.back() == ' ') s.pop_back();
    }
    out.push_back(std::move(s));
  }
  return out;
}

// Reads a string attribute's values (a scalar gives one).
StatusOr<std::vector<std::string>> ReadStrings(hid_t attr, const std::string& what) {
  Id type(H5Aget_type(attr), H5Tclose);
  Id space(H5Aget_space(attr), H5Sclose);
  if (!type.ok() || !space.ok()) return Corrupt(what + ": unreadable attribute");
  const hssize_t points = H5Sget_simple_extent_npoints(space.get());
  if (points < 0) return Corrupt(what + ": unreadable attribute");
  const uint64_t count = static_cast<uint64_t>(points);
  // Keras writes an empty list through np.asarray([]): a float64 array of no elements.
  if (count == 0) return std::vector<std::string>();
  if (H5Tget_class(type.get()) != H5T_STRING) return Corrupt(what + ": not a string attribute");
  if (H5Tis_variable_str(type.get()) > 0) {
    if (count > kHdf5MaxAttributeBytes / sizeof(char*)) return Corrupt(what + ": too many strings");
    Id memtype(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memtype.get(), H5T_VARIABLE);
    H5Tset_cset(memtype.get(), H5Tget_cset(type.get()));
    std::vector<char*> ptrs(count, nullptr);
    if (count > 0 && H5Aread(attr, memtype.get(), ptrs.data()) < 0) return Corrupt(what + ": unreadable strings");
    std::vector<std::string> out;
    uint64_t total = 0;
    bool over = false;
    for (char* p : ptrs) {
      std::string s = p == nullptr ? "" : std::string(p, strnlen(p, kHdf5MaxAttributeBytes + 1));
      total += s.size();
      if (total > kHdf5MaxAttributeBytes) over = true;
      if (!over) out.push_back(std::move(s));
    }
    if (count > 0) H5Dvlen_reclaim(memtype.get(), space.get(), H5P_DEFAULT, ptrs.data());
    if (over) return Corrupt(what + ": strings over " + std::to_string(kHdf5MaxAttributeBytes) + " bytes");
    return out;
  }
  const size_t size = H5Tget_size(type.get());
  if (size == 0 || count > kHdf5MaxAttributeBytes / size)
    return Corrupt(what + ": strings over " + std::to_string(kHdf5MaxAttributeBytes) + " bytes");
  std::vector<char> buf(count * size);
  if (count > 0 && H5Aread(attr, type.get(), buf.data()) < 0) return Corrupt(what + ": unreadable strings");
  return SplitFixed(buf, count, size, H5Tget_strpad(type.get()) == H5T_STR_SPACEPAD);
}

// The links of one group, hard links only, in name order; `visited` counts against the bound.
struct LinkWalk {
  std::vector<std::string> names;
  uint64_t* visited;
  bool over = false;
};

herr_t CollectLink(hid_t, const char* name, const H5L_info_t* info, void* data) {
  auto* walk = static_cast<LinkWalk*>(data);
  if (++*walk->visited > kHdf5MaxObjects) {
    walk->over = true;
    return 1;  // stop
  }
  if (info->type == H5L_TYPE_HARD) walk->names.emplace_back(name);
  return 0;
}

}  // namespace

Hdf5File::~Hdf5File() {
  if (file_ >= 0) H5Fclose(file_);
}

StatusOr<std::unique_ptr<Hdf5File>> Hdf5File::Open(const std::string& path, const std::string& display) {
  const std::string name = display.empty() ? path : display;
  if (!InHdf5Child()) return FailedPrecondition(name + ": libhdf5 is called only in an HDF5 child (hdf5_child.h)");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Id fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (file < 0) return Corrupt(name + ": not a readable HDF5 file");
  std::unique_ptr<Hdf5File> out(new Hdf5File());
  out->file_ = file;
  out->display_ = name;
  return out;
}

bool Hdf5File::HasGroup(const std::string& path) {
  if (!HardPath(file_, path)) return false;
  Id obj(H5Oopen(file_, path.c_str(), H5P_DEFAULT), H5Oclose);
  return obj.ok() && H5Iget_type(obj.get()) == H5I_GROUP;
}

StatusOr<std::optional<std::string>> Hdf5File::StringAttribute(const std::string& object, const std::string& name) {
  if (object != "/" && !HardPath(file_, object)) return std::optional<std::string>();
  if (H5Aexists_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT) <= 0) return std::optional<std::string>();
  Id attr(H5Aopen_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  const std::string what = display_ + ": attribute " + name + " of " + object;
  if (!attr.ok()) return Corrupt(what + ": unreadable");
  TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> values, ReadStrings(attr.get(), what));
  if (values.size() != 1) return Corrupt(what + ": holds " + std::to_string(values.size()) + " strings, not one");
  return std::optional<std::string>(std::move(values[0]));
}

StatusOr<std::optional<std::vector<std::string>>> Hdf5File::StringListAttribute(const std::string& object,
                                                                                const std::string& name) {
  using Result = std::optional<std::vector<std::string>>;
  if (object != "/" && !HardPath(file_, object)) return Result();
  auto read = [&](const std::string& attr_name) -> StatusOr<Result> {
    if (H5Aexists_by_name(file_, object.c_str(), attr_name.c_str(), H5P_DEFAULT) <= 0) return Result();
    Id attr(H5Aopen_by_name(file_, object.c_str(), attr_name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    const std::string what = display_ + ": attribute " + attr_name + " of " + object;
    if (!attr.ok()) return Corrupt(what + ": unreadable");
    TRAIL_ASSIGN_OR_RETURN(std::vector<std::string> values, ReadStrings(attr.get(), what));
    return Result(std::move(values));
  };
  TRAIL_ASSIGN_OR_RETURN(Result whole, read(name));
  if (whole.has_value()) return whole;
  // Keras (save_attributes_to_hdf5_group) splits long lists over name0, name1, ...
  Result joined;
  uint64_t total = 0;
  for (int k = 0;; ++k) {
    TRAIL_ASSIGN_OR_RETURN(Result part, read(name + std::to_string(k)));
    if (!part.has_value()) break;
    if (!joined.has_value()) joined.emplace();
    for (std::string& s : *part) {
      total += s.size();
      if (total > kHdf5MaxAttributeBytes) return Corrupt(display_ + ": attribute " + name + " is too long");
      joined->push_back(std::move(s));
    }
  }
  return joined;
}

namespace {

// Describes an open dataset.
StatusOr<Hdf5Dataset> DescribeOpen(hid_t dataset, const std::string& path, const std::string& display) {
  const std::string what = display + ": dataset " + path;
  Hdf5Dataset out;
  out.path = path;
  TensorInfo& t = out.tensor;
  Id space(H5Dget_space(dataset), H5Sclose);
  Id type(H5Dget_type(dataset), H5Tclose);
  Id dcpl(H5Dget_create_plist(dataset), H5Pclose);
  if (!space.ok() || !type.ok() || !dcpl.ok()) return Corrupt(what + ": unreadable");
  const H5S_class_t space_class = H5Sget_simple_extent_type(space.get());
  uint64_t elements = 1;
  int rank = 0;
  hsize_t dims[H5S_MAX_RANK] = {};
  if (space_class == H5S_NULL) {
    elements = 0;
    t.shape.push_back(0);
  } else if (space_class == H5S_SIMPLE) {
    rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0 || rank > H5S_MAX_RANK || H5Sget_simple_extent_dims(space.get(), dims, nullptr) < 0)
      return Corrupt(what + ": unreadable shape");
    for (int k = 0; k < rank; ++k) {
      if (dims[k] > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          (dims[k] != 0 && elements > std::numeric_limits<uint64_t>::max() / dims[k])) {
        return Corrupt(what + ": shape overflows");
      }
      elements *= dims[k];
      t.shape.push_back(static_cast<int64_t>(dims[k]));
    }
  } else if (space_class != H5S_SCALAR) {
    return Corrupt(what + ": unreadable shape");
  }
  t.elements = elements;
  Classified c = Classify(type.get());
  if (c.memtype >= 0) H5Tclose(c.memtype);
  t.dtype = c.dtype;
  t.dtype_name = c.name;

  if (H5Pget_external_count(dcpl.get()) > 0)
    return Corrupt(what + ": its values are stored in external files; trail reads only the file itself");
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_VIRTUAL) return Corrupt(what + ": a virtual dataset (values in other files) is not read");
  const size_t type_size = H5Tget_size(type.get());
  if (layout == H5D_CHUNKED) {
    hsize_t chunk[H5S_MAX_RANK] = {};
    const int chunk_rank = H5Pget_chunk(dcpl.get(), H5S_MAX_RANK, chunk);
    if (chunk_rank < 0) return Corrupt(what + ": unreadable chunk shape");
    uint64_t chunk_bytes = type_size;
    for (int k = 0; k < chunk_rank; ++k) {
      if (chunk[k] != 0 && chunk_bytes > kHdf5MaxChunkBytes / chunk[k] + 1) {
        chunk_bytes = kHdf5MaxChunkBytes + 1;
        break;
      }
      chunk_bytes *= chunk[k];
    }
    if (t.dtype != DType::kOther && chunk_bytes > kHdf5MaxChunkBytes) {
      return Corrupt(what + ": chunks of more than " + std::to_string(kHdf5MaxChunkBytes) +
                     " bytes cannot be read in bounded memory");
    }
  }
  const uint64_t stored = H5Dget_storage_size(dataset);
  const size_t width = DTypeSize(t.dtype);
  if (width == 0) {
    t.bytes = stored;
    return out;
  }
  if (elements > std::numeric_limits<uint64_t>::max() / width) return Corrupt(what + ": shape overflows");
  t.bytes = elements * width;
  // Values that are not in the file are fill values, or a ratio past deflate's (at most 1032:1,
  // even for zeros): refuse what would stream gigabytes out of almost nothing.
  constexpr uint64_t kSlack = 64 << 20, kMaxRatio = 4096;
  if (t.bytes > kSlack && t.bytes / kMaxRatio > stored) {
    return Corrupt(what + ": declares " + std::to_string(t.bytes) + " bytes of values but stores only " +
                   std::to_string(stored));
  }
  return out;
}

}  // namespace

StatusOr<std::vector<Hdf5Dataset>> Hdf5File::ListDatasets(const std::string& group) {
  std::vector<Hdf5Dataset> out;
  uint64_t visited = 0;
  if (group != "/" && !HardPath(file_, group)) return out;
  // Depth first; an explicit stack keeps C++ recursion out of it (hard links may form cycles,
  // which the depth and object bounds end).
  std::vector<std::pair<std::string, int>> stack = {{group, 0}};
  while (!stack.empty()) {
    auto [path, depth] = stack.back();
    stack.pop_back();
    Id g(H5Gopen2(file_, path.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g.ok()) return Corrupt(display_ + ": group " + path + " is unreadable");
    LinkWalk walk{{}, &visited};
    if (H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, CollectLink, &walk) < 0)
      return Corrupt(display_ + ": group " + path + " is unreadable");
    if (walk.over) return Corrupt(display_ + ": more than " + std::to_string(kHdf5MaxObjects) + " objects");
    // Keras 3 names variables 0, 1, ... 10: numeric names in numeric order (vars/2 before vars/10).
    std::stable_sort(walk.names.begin(), walk.names.end(), [](const std::string& a, const std::string& b) {
      const bool da = !a.empty() && a.find_first_not_of("0123456789") == std::string::npos;
      const bool db = !b.empty() && b.find_first_not_of("0123456789") == std::string::npos;
      if (da && db && a.size() != b.size()) return a.size() < b.size();
      return a < b;
    });
    std::vector<std::string> groups;
    for (const std::string& name : walk.names) {
      const std::string child = JoinH5Path(path, name);
      Id obj(H5Oopen(g.get(), name.c_str(), H5P_DEFAULT), H5Oclose);
      if (!obj.ok()) return Corrupt(display_ + ": object " + child + " is unreadable");
      const H5I_type_t kind = H5Iget_type(obj.get());
      if (kind == H5I_GROUP) {
        if (depth + 1 > kHdf5MaxDepth)
          return Corrupt(display_ + ": groups nested more than " + std::to_string(kHdf5MaxDepth) + " deep");
        groups.push_back(child);
      } else if (kind == H5I_DATASET) {
        TRAIL_ASSIGN_OR_RETURN(Hdf5Dataset d, DescribeOpen(obj.get(), child, display_));
        out.push_back(std::move(d));
      }
    }
    // Datasets of a group come before its subgroups' (pushed in reverse: popped in name order).
    for (auto it = groups.rbegin(); it != groups.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  return out;
}

StatusOr<Hdf5Dataset> Hdf5File::Describe(const std::string& path) {
  if (!HardPath(file_, path)) return NotFound(display_ + ": no dataset " + path);
  Id obj(H5Oopen(file_, path.c_str(), H5P_DEFAULT), H5Oclose);
  if (!obj.ok() || H5Iget_type(obj.get()) != H5I_DATASET) return NotFound(display_ + ": no dataset " + path);
  return DescribeOpen(obj.get(), path, display_);
}

namespace {

// Reads a dataset in C order through a staging buffer of at most kHdf5ReadBytes: each refill
// selects a hyperslab of whole "rows" below some dimension k (all later dimensions complete),
// so that its elements are contiguous in C order.
class Hdf5ValueStream : public ValueStream {
 public:
  Hdf5ValueStream(hid_t dataset, hid_t memtype, std::vector<hsize_t> dims, size_t width, uint64_t elements,
                  std::string what)
      : dataset_(dataset),
        memtype_(memtype),
        dims_(std::move(dims)),
        width_(width),
        elements_(elements),
        what_(std::move(what)) {
    const uint64_t budget = std::max<uint64_t>(1, kHdf5ReadBytes / width_);
    if (elements_ == 0) return;  // nothing to read; a zero dimension would divide by zero below
    // split_: the last dimension whose whole extent does not fit the budget with the dimensions
    // after it (0 when all after the first fit); inner_: the product of the dimensions after it.
    for (size_t k = dims_.size(); k-- > 1;) {
      if (dims_[k] > budget / inner_) {
        split_ = k;
        break;
      }
      inner_ *= dims_[k];
    }
    rows_per_read_ = std::max<uint64_t>(1, budget / inner_);
  }

  ~Hdf5ValueStream() override {
    H5Tclose(memtype_);
    H5Dclose(dataset_);
  }

  StatusOr<size_t> Read(char* buf, size_t capacity) override {
    if (pos_ == staged_.size()) {
      if (done_ == elements_) return size_t{0};
      TRAIL_RETURN_IF_ERROR(Refill());
    }
    const size_t n = std::min(capacity, staged_.size() - pos_);
    std::memcpy(buf, staged_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  Status Refill() {
    uint64_t count = 0;
    Id fspace(H5Dget_space(dataset_), H5Sclose);
    if (!fspace.ok()) return Corrupt(what_ + ": unreadable");
    if (dims_.empty()) {
      count = 1;
    } else {
      // The index of `done_` along dimensions 0..split_ (it is a multiple of inner_).
      std::vector<hsize_t> start(dims_.size(), 0), block(dims_.size(), 1);
      uint64_t rest = done_ / inner_;
      for (size_t k = split_ + 1; k-- > 0;) {
        start[k] = rest % dims_[k];
        rest /= dims_[k];
      }
      const uint64_t rows = std::min<uint64_t>(rows_per_read_, dims_[split_] - start[split_]);
      block[split_] = rows;
      for (size_t k = split_ + 1; k < dims_.size(); ++k) block[k] = dims_[k];
      count = rows * inner_;
      if (H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, block.data(), nullptr) < 0)
        return Corrupt(what_ + ": cannot select values");
    }
    const hsize_t mcount = count;
    Id mspace(H5Screate_simple(1, &mcount, nullptr), H5Sclose);
    staged_.resize(count * width_);
    if (H5Dread(dataset_, memtype_, mspace.get(), dims_.empty() ? H5S_ALL : fspace.get(), H5P_DEFAULT, staged_.data()) <
        0) {
      return Corrupt(what_ + ": its values are unreadable (damaged or compressed with a filter libhdf5 lacks)");
    }
    done_ += count;
    pos_ = 0;
    return Status::Ok();
  }

  hid_t dataset_;
  hid_t memtype_;
  std::vector<hsize_t> dims_;
  size_t width_;
  uint64_t elements_;
  std::string what_;
  size_t split_ = 0;
  uint64_t inner_ = 1;
  uint64_t rows_per_read_ = 1;
  uint64_t done_ = 0;  // elements staged so far
  std::vector<char> staged_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<std::unique_ptr<ValueStream>> Hdf5File::OpenValues(const Hdf5Dataset& dataset) {
  const std::string what = display_ + ": dataset " + dataset.path;
  const size_t width = DTypeSize(dataset.tensor.dtype);
  if (width == 0) return FailedPrecondition(what + ": dtype " + dataset.tensor.dtype_name + " has no values to read");
  if (!HardPath(file_, dataset.path)) return NotFound(display_ + ": no dataset " + dataset.path);
  // A chunk cache that holds a few of the largest chunks allowed, so that consecutive hyperslabs
  // do not inflate the same chunk again; bounded like the chunks themselves.
  Id dapl(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
  H5Pset_chunk_cache(dapl.get(), 521, 2 * kHdf5MaxChunkBytes, 0.75);
  Id ds(H5Dopen2(file_, dataset.path.c_str(), dapl.get()), H5Dclose);
  if (!ds.ok()) return Corrupt(what + ": unreadable");
  Id type(H5Dget_type(ds.get()), H5Tclose);
  if (!type.ok()) return Corrupt(what + ": unreadable");
  Classified c = Classify(type.get());
  if (c.memtype < 0 || c.dtype != dataset.tensor.dtype) {
    if (c.memtype >= 0) H5Tclose(c.memtype);
    return Corrupt(what + ": changed type while open");
  }
  std::vector<hsize_t> dims;
  for (int64_t d : dataset.tensor.shape) dims.push_back(static_cast<hsize_t>(d));
  return std::unique_ptr<ValueStream>(std::make_unique<Hdf5ValueStream>(ds.release(), c.memtype, std::move(dims), width,
                                                                        dataset.tensor.elements, what));
}

}  // namespace trail::model
