#include "model/diff.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "model/values.h"

namespace trail::model {
namespace {

// Config walks stop this deep: a hostile config cannot exhaust the stack.
constexpr int kMaxConfigDepth = 64;

// Reads until `capacity` bytes or the end of the stream: ValueStream::Read may return less.
StatusOr<size_t> ReadFull(ValueStream& stream, char* buf, size_t capacity) {
  size_t filled = 0;
  while (filled < capacity) {
    TRAIL_ASSIGN_OR_RETURN(size_t got, stream.Read(buf + filled, capacity - filled));
    if (got == 0) break;
    filled += got;
  }
  return filled;
}

// Elements per chunk of a compared tensor pair: the same cut on both sides, whole elements, at
// most kValueChunkBytes on the wider side.
size_t ChunkElements(const TensorInfo& ta, const TensorInfo& tb) {
  return kValueChunkBytes / std::max(DTypeSize(ta.dtype), DTypeSize(tb.dtype));
}

// One tensor a ChunkReader streams, and how it is cut.
struct StreamJob {
  size_t tensor = 0;
  uint64_t elements = 0;
  size_t chunk_elements = 0;
  size_t width = 0;  // bytes per element
};

// Reads one model's tensors, in the order of `jobs`, on a thread of its own, a few chunks ahead
// of the comparison: the two files are read at once and the arithmetic overlaps the reads, while
// memory stays at kSlots chunks per side. Until it is destroyed, the thread is the only user of
// `file` (a ModelFile is not thread-safe); `serial`, when not null, is held around every call
// into it (two readers of one file, or a library with global state: HDF5).
class ChunkReader {
 public:
  struct Chunk {
    const char* data;
    size_t size;  // less than the chunk's bytes when the stream ended early
  };

  ChunkReader(ModelFile& file, std::vector<StreamJob> jobs, std::mutex* serial)
      : file_(file), jobs_(std::move(jobs)), serial_(serial) {
    for (Slot& slot : slots_) slot.buf.resize(kValueChunkBytes);
    thread_ = std::thread([this] { Run(); });
  }

  ~ChunkReader() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next chunk in job order, valid until the next call; the stream's error as it returned it.
  StatusOr<Chunk> Next() {
    std::unique_lock<std::mutex> lock(mu_);
    if (holding_) {
      ++consumed_;
      holding_ = false;
      cv_.notify_all();
    }
    cv_.wait(lock, [&] { return produced_ > consumed_ || done_; });
    if (produced_ == consumed_) return Internal("model diff: values asked for past the tensors being read");
    Slot& slot = slots_[consumed_ % kSlots];
    holding_ = true;
    if (!slot.status.ok()) return slot.status;
    return Chunk{slot.buf.data(), slot.size};
  }

 private:
  static constexpr size_t kSlots = 3;  // one being compared, two read ahead

  struct Slot {
    std::vector<char> buf;
    size_t size = 0;
    Status status;
  };

  std::unique_lock<std::mutex> Serial() {
    return serial_ ? std::unique_lock<std::mutex>(*serial_) : std::unique_lock<std::mutex>();
  }

  StatusOr<size_t> ReadLocked(ValueStream& stream, char* buf, size_t want) {
    auto lock = Serial();
    return ReadFull(stream, buf, want);
  }

  // A free slot, or null when told to stop.
  Slot* WaitFree() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return stop_ || produced_ - consumed_ < kSlots; });
    return stop_ ? nullptr : &slots_[produced_ % kSlots];
  }

  void Publish() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++produced_;
    }
    cv_.notify_all();
  }

  // Stops at the first error or short chunk (the comparison ends there), or when told to.
  void Run() {
    ReadAll();
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
  }

  void ReadAll() {
    for (const StreamJob& job : jobs_) {
      std::unique_ptr<ValueStream> stream;
      Status opened;
      {
        auto lock = Serial();
        auto s = file_.OpenTensor(job.tensor);
        if (s.ok()) stream = std::move(*s);
        opened = s.status();
      }
      bool more = opened.ok();
      for (uint64_t left = job.elements; left > 0;) {
        Slot* slot = WaitFree();
        if (!slot) {
          more = false;
          break;
        }
        const size_t want = static_cast<size_t>(std::min<uint64_t>(left, job.chunk_elements)) * job.width;
        // A StatusOr is never made from an OK status (status.h asserts it): read only when open.
        StatusOr<size_t> got = opened.ok() ? ReadLocked(*stream, slot->buf.data(), want) : StatusOr<size_t>(opened);
        slot->status = got.status();
        slot->size = got.ok() ? *got : 0;
        Publish();
        if (!got.ok() || *got != want) {
          more = false;
          break;
        }
        left -= std::min<uint64_t>(left, job.chunk_elements);
      }
      auto lock = Serial();
      stream.reset();
      if (!more) return;
    }
  }

  ModelFile& file_;
  const std::vector<StreamJob> jobs_;
  std::mutex* serial_;
  std::array<Slot, kSlots> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t produced_ = 0, consumed_ = 0;  // chunks; slot = count % kSlots
  bool holding_ = false;                  // the consumer holds slot consumed_ % kSlots
  bool stop_ = false;
  bool done_ = false;   // the thread has read all it will
  std::thread thread_;  // last: started once everything above is
};

// Elements converted to double at a time: both sides' blocks stay in the L1 cache.
constexpr size_t kBlockElements = 2048;

// Sums over a tensor pair, in double, accumulated block by block in four lanes (see Accumulate).
struct Sums {
  double aa = 0, bb = 0, ab = 0, dd = 0, max_abs = 0;
};

// float32, float16 and bfloat16 widened to double a block at a time, in loops the compiler
// vectorises (a full block has a constant trip count); other dtypes go through ToDoubles. Exact,
// as ToDoubles is: the same values, NaN payloads aside. Hosts are little-endian (as values.cc).
template <typename Word, typename Widen>
void WidenBlock(const char* bytes, size_t n, double* out, Widen widen) {
  Word w[kBlockElements];
  std::memcpy(w, bytes, n * sizeof(Word));
  if (n == kBlockElements) {
    for (size_t i = 0; i < kBlockElements; ++i) out[i] = widen(w[i]);
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = widen(w[i]);
  }
}

// IEEE half to float, exactly, without branches: normal numbers rebias the exponent, subnormal
// ones are mantissa * 2^-24, infinities and NaNs keep an all-ones exponent.
inline float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t em = h & 0x7fffu;
  const float normal = std::bit_cast<float>((em << 13) + 0x38000000u);
  const float subnormal = static_cast<float>(em) * 0x1p-24f;
  const float special = std::bit_cast<float>((em << 13) | 0x7f800000u);
  const float magnitude = em < 0x400u ? subnormal : em >= 0x7c00u ? special : normal;
  return std::bit_cast<float>(std::bit_cast<uint32_t>(magnitude) | sign);
}

void BlockToDoubles(DType dtype, const char* bytes, size_t n, double* out) {
  switch (dtype) {
    case DType::kFloat32:
      return WidenBlock<float>(bytes, n, out, [](float f) { return static_cast<double>(f); });
    case DType::kBFloat16:
      return WidenBlock<uint16_t>(bytes, n, out, [](uint16_t b) {
        return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(b) << 16));
      });
    case DType::kFloat16:
      return WidenBlock<uint16_t>(bytes, n, out, [](uint16_t h) { return static_cast<double>(HalfToFloat(h)); });
    default:
      return ToDoubles(dtype, bytes, n, out);
  }
}

// The kernels below keep their sums in registers (noinline: register allocation of their own),
// each in four lanes (elements i, i+1, i+2, i+3 of every four), added together at the end of
// the block. One running sum in element order is a chain of dependent additions (4 cycles each)
// that kept the diff at a fraction of disk speed; four independent chains are about 4x faster,
// and no less accurate (pairwise-style summation is, if anything, more so). The order is still
// fixed, so the same two files always give the same figures.

// `sum` plus the squares of x[0..n).
[[gnu::noinline]] double AddSquares(const double* x, size_t n, double sum) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * x[i];
    s1 += x[i + 1] * x[i + 1];
    s2 += x[i + 2] * x[i + 2];
    s3 += x[i + 3] * x[i + 3];
  }
  for (; i < n; ++i) s0 += x[i] * x[i];
  return sum + ((s0 + s1) + (s2 + s3));
}

// The larger of `m` and `v`; a NaN `v` is passed over (Sums::dd carries NaN: see Accumulate).
inline double Max(double m, double v) { return v > m ? v : m; }

[[gnu::noinline]] void Accumulate(const double* __restrict va, const double* __restrict vb, size_t n, Sums& s) {
  double aa[4] = {}, bb[4] = {}, ab[4] = {}, dd[4] = {};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t l = 0; l < 4; ++l) {
      const double x = va[i + l], y = vb[i + l], diff = x - y;
      aa[l] += x * x;
      bb[l] += y * y;
      ab[l] += x * y;
      dd[l] += diff * diff;
    }
  }
  for (; i < n; ++i) {
    const double x = va[i], y = vb[i], diff = x - y;
    aa[0] += x * x;
    bb[0] += y * y;
    ab[0] += x * y;
    dd[0] += diff * diff;
  }
  auto total = [](const double(&lanes)[4]) { return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]); };
  s.aa += total(aa);
  s.bb += total(bb);
  s.ab += total(ab);
  s.dd += total(dd);
  // The maximum does not depend on the order: four lanes. A NaN difference makes dd NaN (a sum
  // of squares is NaN only through one), which CompareValues turns into a NaN maximum.
  double m0 = s.max_abs, m1 = m0, m2 = m0, m3 = m0;
  for (i = 0; i + 4 <= n; i += 4) {
    m0 = Max(m0, std::fabs(va[i] - vb[i]));
    m1 = Max(m1, std::fabs(va[i + 1] - vb[i + 1]));
    m2 = Max(m2, std::fabs(va[i + 2] - vb[i + 2]));
    m3 = Max(m3, std::fabs(va[i + 3] - vb[i + 3]));
  }
  for (; i < n; ++i) m0 = Max(m0, std::fabs(va[i] - vb[i]));
  s.max_abs = Max(Max(m0, m1), Max(m2, m3));
}

// Compares tensor `ta` of A with `tb` of B (same element count), chunk by chunk as `ra` and `rb`
// deliver them, and fills the value fields of `d`.
Status CompareValues(ChunkReader& ra, const TensorInfo& ta, ChunkReader& rb, const TensorInfo& tb,
                     const DiffOptions& options, TensorDiff& d) {
  const size_t wa = DTypeSize(ta.dtype), wb = DTypeSize(tb.dtype);
  const size_t per_chunk = ChunkElements(ta, tb);
  double va[kBlockElements], vb[kBlockElements];
  const bool same_bytes_possible = ta.dtype == tb.dtype;
  bool identical = same_bytes_possible;
  Sums s;
  uint64_t left = ta.elements;
  auto ended = [&](const std::string& label) {
    return Corrupt(label + ": tensor " + ta.name + ": values end before its " + std::to_string(ta.elements) +
                   " elements");
  };
  while (left > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, per_chunk));
    TRAIL_ASSIGN_OR_RETURN(ChunkReader::Chunk ca, ra.Next());
    if (ca.size != n * wa) return ended(options.label_a);
    TRAIL_ASSIGN_OR_RETURN(ChunkReader::Chunk cb, rb.Next());
    if (cb.size != n * wb) return ended(options.label_b);
    const bool same_chunk = same_bytes_possible && std::memcmp(ca.data, cb.data, n * wa) == 0;
    if (!same_chunk) identical = false;
    if (same_chunk) {
      // Equal bytes are equal values: only ||a|| moves (checkpoints share most chunks). One sum
      // per chunk.
      double sum = 0;
      for (size_t k = 0; k < n; k += kBlockElements) {
        const size_t m = std::min(kBlockElements, n - k);
        BlockToDoubles(ta.dtype, ca.data + k * wa, m, va);
        sum = AddSquares(va, m, sum);
      }
      s.aa += sum;
      s.bb += sum;
      s.ab += sum;
    } else {
      for (size_t k = 0; k < n; k += kBlockElements) {
        const size_t m = std::min(kBlockElements, n - k);
        BlockToDoubles(ta.dtype, ca.data + k * wa, m, va);
        BlockToDoubles(tb.dtype, cb.data + k * wb, m, vb);
        Accumulate(va, vb, m, s);
      }
    }
    left -= n;
  }
  d.compared = true;
  d.identical = identical;
  if (identical) {  // bytes equal: exact, whatever NaNs or infinities they hold
    d.max_abs_diff = 0;
    d.relative_l2 = 0;
    d.cosine = 1;
    return Status::Ok();
  }
  const double aa = s.aa, bb = s.bb, ab = s.ab, dd = s.dd;
  // NaN on either side propagates: a tensor that went NaN is the largest change there is.
  d.max_abs_diff = std::isnan(dd) ? std::numeric_limits<double>::quiet_NaN() : s.max_abs;
  if (aa == 0)
    d.relative_l2 = dd == 0 ? 0 : std::numeric_limits<double>::infinity();
  else
    d.relative_l2 = std::sqrt(dd) / std::sqrt(aa);
  if (aa == 0 && bb == 0)
    d.cosine = 1;
  else if (aa == 0 || bb == 0)
    d.cosine = 0;
  else
    d.cosine = ab / (std::sqrt(aa) * std::sqrt(bb));
  return Status::Ok();
}

// Sorts changed tensors largest change first; NaN (a tensor gone NaN) before everything.
double SortKey(const TensorDiff& d) {
  if (!d.compared) return -1;
  if (d.identical) return -2;
  if (std::isnan(d.relative_l2) || std::isnan(d.max_abs_diff)) return std::numeric_limits<double>::infinity();
  return std::min(d.relative_l2, std::numeric_limits<double>::max());  // from zero: next
}

class ArchitectureWalk {
 public:
  ArchitectureWalk(ModelDiff& out, size_t limit) : out_(out), limit_(limit) {}

  void Add(std::string what, std::string path, Json old_value, Json new_value) {
    if (out_.architecture.size() >= limit_) {
      ++out_.architecture_more;
      return;
    }
    out_.architecture.push_back({std::move(what), std::move(path), std::move(old_value), std::move(new_value)});
  }

  // Reports every leaf that differs between `a` and `b` under `path`, as "config" changes.
  void Values(const std::string& path, const Json& a, const Json& b, int depth = 0) {
    if (a == b) return;
    if (depth < kMaxConfigDepth && a.is_object() && b.is_object()) {
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto other = b.find(it.key());
        Values(Join(path, it.key()), it.value(), other == b.end() ? Json() : *other, depth + 1);
      }
      for (auto it = b.begin(); it != b.end(); ++it) {
        if (!a.contains(it.key())) Values(Join(path, it.key()), Json(), it.value(), depth + 1);
      }
      return;
    }
    if (depth < kMaxConfigDepth && a.is_array() && b.is_array() && a.size() == b.size()) {
      for (size_t i = 0; i < a.size(); ++i) Values(path + "[" + std::to_string(i) + "]", a[i], b[i], depth + 1);
      return;
    }
    Add("config", path, a, b);
  }

 private:
  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  ModelDiff& out_;
  size_t limit_;
};

Json SpecsJson(const std::vector<TensorSpec>& specs) {
  Json j = Json::array();
  for (const TensorSpec& s : specs) {
    j.push_back({{"name", s.name}, {"dtype", s.dtype}, {"shape", s.shape_known ? Json(s.shape) : Json()}});
  }
  return j;
}

void DiffArchitecture(const ModelInfo& a, const ModelInfo& b, ArchitectureWalk& walk) {
  auto text = [&](const char* what, const std::string& x, const std::string& y) {
    if (x != y) walk.Add(what, "", x.empty() ? Json() : Json(x), y.empty() ? Json() : Json(y));
  };
  text("format", a.format, b.format);
  text("framework", a.framework, b.framework);
  text("framework version", a.framework_version, b.framework_version);
  text("producer", a.producer, b.producer);

  std::map<std::string, const Layer*> la, lb;
  for (const Layer& l : a.layers) la.emplace(l.name, &l);
  for (const Layer& l : b.layers) lb.emplace(l.name, &l);
  for (const Layer& l : a.layers) {
    if (!lb.count(l.name)) walk.Add("layer removed", l.name, l.type, Json());
  }
  bool layer_configs = false;
  for (const Layer& l : b.layers) {
    auto it = la.find(l.name);
    if (it == la.end()) {
      walk.Add("layer added", l.name, Json(), l.type);
      continue;
    }
    const Layer& old = *it->second;
    if (old.type != l.type) walk.Add("layer type", l.name, old.type, l.type);
    if (!old.config.is_null() || !l.config.is_null()) layer_configs = true;
    walk.Values(l.name + ".config", old.config, l.config);
  }

  std::map<std::string, uint64_t> ops = a.op_counts;
  for (const auto& [op, n] : b.op_counts) ops.emplace(op, 0);
  for (const auto& [op, unused] : ops) {
    auto x = a.op_counts.find(op);
    auto y = b.op_counts.find(op);
    const uint64_t nx = x == a.op_counts.end() ? 0 : x->second;
    const uint64_t ny = y == b.op_counts.end() ? 0 : y->second;
    if (nx != ny) walk.Add("op count", op, nx, ny);
  }

  const Json ia = SpecsJson(a.inputs), ib = SpecsJson(b.inputs);
  if (ia != ib) walk.Add("inputs", "", ia, ib);
  const Json oa = SpecsJson(a.outputs), ob = SpecsJson(b.outputs);
  if (oa != ob) walk.Add("outputs", "", oa, ob);

  // Where layers carry their configs, the whole architecture (a Keras model_config holds the
  // same configs again) would only repeat them; otherwise (ONNX opsets and attributes) walk it.
  if (!layer_configs) walk.Values("architecture", a.architecture, b.architecture);
}

}  // namespace

std::string_view TensorDiffKindName(TensorDiff::Kind kind) {
  switch (kind) {
    case TensorDiff::Kind::kChanged:
      return "changed";
    case TensorDiff::Kind::kIdentical:
      return "identical";
    case TensorDiff::Kind::kAdded:
      return "added";
    case TensorDiff::Kind::kRemoved:
      return "removed";
    case TensorDiff::Kind::kReshaped:
      return "reshaped";
    case TensorDiff::Kind::kDtypeChanged:
      return "dtype changed";
  }
  return "changed";
}

StatusOr<ModelDiff> DiffModels(ModelFile& a, ModelFile& b, const DiffOptions& options) {
  const ModelInfo& ia = a.info();
  const ModelInfo& ib = b.info();
  ModelDiff out;
  out.parameters_a = ia.parameters;
  out.parameters_b = ib.parameters;
  // Names are matched exactly; the first of a repeated name wins (a file should not repeat one).
  std::map<std::string, size_t> in_b;
  for (size_t i = 0; i < ib.tensors.size(); ++i) in_b.emplace(ib.tensors[i].name, i);
  std::map<std::string, size_t> in_a;
  for (size_t i = 0; i < ia.tensors.size(); ++i) in_a.emplace(ia.tensors[i].name, i);

  // The pairs whose values are compared, in the order the loop below compares them: each file's
  // reader streams its side of them ahead of the comparison.
  auto compared_with = [&](size_t i) -> std::optional<size_t> {
    const TensorInfo& ta = ia.tensors[i];
    auto it = in_b.find(ta.name);
    if (!options.values || in_a[ta.name] != i || it == in_b.end()) return std::nullopt;
    const TensorInfo& tb = ib.tensors[it->second];
    if (ta.shape != tb.shape || DTypeSize(ta.dtype) == 0 || DTypeSize(tb.dtype) == 0 || ta.elements == 0)
      return std::nullopt;
    return it->second;
  };
  std::vector<StreamJob> jobs_a, jobs_b;
  for (size_t i = 0; i < ia.tensors.size(); ++i) {
    if (auto j = compared_with(i)) {
      const TensorInfo &ta = ia.tensors[i], &tb = ib.tensors[*j];
      jobs_a.push_back({i, ta.elements, ChunkElements(ta, tb), DTypeSize(ta.dtype)});
      jobs_b.push_back({*j, tb.elements, ChunkElements(ta, tb), DTypeSize(tb.dtype)});
    }
  }
  std::unique_ptr<ChunkReader> reader_a, reader_b;
  std::mutex serial;
  if (!jobs_a.empty()) {
    // HDF5 (Keras files) keeps global state: its calls are made one at a time.
    auto hdf5 = [](const ModelInfo& info) { return info.format == "keras-h5" || info.format == "keras-v3"; };
    std::mutex* shared = &a == &b || hdf5(ia) || hdf5(ib) ? &serial : nullptr;
    reader_a = std::make_unique<ChunkReader>(a, std::move(jobs_a), shared);
    reader_b = std::make_unique<ChunkReader>(b, std::move(jobs_b), shared);
  }

  std::vector<TensorDiff> both, others;
  for (size_t i = 0; i < ia.tensors.size(); ++i) {
    const TensorInfo& ta = ia.tensors[i];
    if (in_a[ta.name] != i) continue;
    TensorDiff d;
    d.name = ta.name;
    d.dtype_a = ta.dtype_name;
    d.shape_a = ta.shape;
    auto it = in_b.find(ta.name);
    if (it == in_b.end()) {
      d.kind = TensorDiff::Kind::kRemoved;
      d.elements = ta.elements;
      ++out.removed;
      others.push_back(std::move(d));
      continue;
    }
    const TensorInfo& tb = ib.tensors[it->second];
    d.dtype_b = tb.dtype_name;
    d.shape_b = tb.shape;
    if (ta.shape != tb.shape) {
      d.kind = TensorDiff::Kind::kReshaped;
      ++out.reshaped;
      others.push_back(std::move(d));
      continue;
    }
    d.elements = ta.elements;
    const bool numeric = DTypeSize(ta.dtype) != 0 && DTypeSize(tb.dtype) != 0;
    if (compared_with(i)) {
      TRAIL_RETURN_IF_ERROR(CompareValues(*reader_a, ta, *reader_b, tb, options, d));
    } else if (options.values && numeric) {
      d.compared = true;
      d.identical = ta.dtype == tb.dtype;
    }
    if (ta.dtype_name != tb.dtype_name) {
      d.kind = TensorDiff::Kind::kDtypeChanged;
      ++out.dtype_changed;
      others.push_back(std::move(d));
      continue;
    }
    d.kind = d.compared && d.identical ? TensorDiff::Kind::kIdentical : TensorDiff::Kind::kChanged;
    if (d.kind == TensorDiff::Kind::kIdentical)
      ++out.identical;
    else
      ++out.changed;
    both.push_back(std::move(d));
  }
  for (size_t i = 0; i < ib.tensors.size(); ++i) {
    const TensorInfo& tb = ib.tensors[i];
    if (in_b[tb.name] != i || in_a.count(tb.name)) continue;
    TensorDiff d;
    d.kind = TensorDiff::Kind::kAdded;
    d.name = tb.name;
    d.dtype_b = tb.dtype_name;
    d.shape_b = tb.shape;
    d.elements = tb.elements;
    ++out.added;
    others.push_back(std::move(d));
  }
  std::stable_sort(both.begin(), both.end(), [](const TensorDiff& x, const TensorDiff& y) {
    const double kx = SortKey(x), ky = SortKey(y);
    if (kx != ky) return kx > ky;
    return x.name < y.name;
  });
  std::stable_sort(others.begin(), others.end(), [](const TensorDiff& x, const TensorDiff& y) {
    if (x.kind != y.kind) return static_cast<int>(x.kind) < static_cast<int>(y.kind);
    return x.name < y.name;
  });
  out.tensors = std::move(both);
  for (TensorDiff& d : others) out.tensors.push_back(std::move(d));

  ArchitectureWalk walk(out, options.max_architecture_changes);
  DiffArchitecture(ia, ib, walk);
  return out;
}

namespace {

// JSON has no infinity or NaN: they are written as strings.
Json Number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

}  // namespace

Json ToJson(const ModelDiff& diff, bool all) {
  Json j = Json::object();
  j["summary"] = {
      {"changed", diff.changed},           {"identical", diff.identical},      {"added", diff.added},
      {"removed", diff.removed},           {"reshaped", diff.reshaped},        {"dtype_changed", diff.dtype_changed},
      {"parameters_a", diff.parameters_a}, {"parameters_b", diff.parameters_b}};
  Json arch = Json::array();
  for (const ArchitectureChange& c : diff.architecture) {
    Json e = {{"what", c.what}, {"old", c.old_value}, {"new", c.new_value}};
    if (!c.path.empty()) e["path"] = c.path;
    arch.push_back(e);
  }
  j["architecture"] = arch;
  if (diff.architecture_more > 0) j["architecture_more"] = diff.architecture_more;
  Json ts = Json::array();
  for (const TensorDiff& d : diff.tensors) {
    if (d.kind == TensorDiff::Kind::kIdentical && !all) continue;
    Json t = {{"name", d.name}, {"change", TensorDiffKindName(d.kind)}};
    if (!d.dtype_a.empty()) t["dtype_a"] = d.dtype_a;
    if (!d.dtype_b.empty()) t["dtype_b"] = d.dtype_b;
    if (!d.dtype_a.empty()) t["shape_a"] = d.shape_a;
    if (!d.dtype_b.empty()) t["shape_b"] = d.shape_b;
    t["elements"] = d.elements;
    if (d.compared) {
      t["identical"] = d.identical;
      t["max_abs_diff"] = Number(d.max_abs_diff);
      t["relative_l2"] = Number(d.relative_l2);
      t["cosine"] = Number(d.cosine);
    }
    ts.push_back(t);
  }
  j["tensors"] = ts;
  return j;
}

}  // namespace trail::model
