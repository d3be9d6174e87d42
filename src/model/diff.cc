#include "model/diff.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>

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

// Streams tensor `ia` of `a` and `ib` of `b` (same element count) in lockstep, chunk by chunk of
// whole elements, and fills the value fields of `d`.
Status CompareValues(ModelFile& a, size_t ia, ModelFile& b, size_t ib, const DiffOptions& options, TensorDiff& d) {
  const TensorInfo& ta = a.info().tensors[ia];
  const TensorInfo& tb = b.info().tensors[ib];
  const size_t wa = DTypeSize(ta.dtype), wb = DTypeSize(tb.dtype);
  const size_t per_chunk = kValueChunkBytes / std::max(wa, wb);
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> sa, a.OpenTensor(ia));
  TRAIL_ASSIGN_OR_RETURN(std::unique_ptr<ValueStream> sb, b.OpenTensor(ib));
  std::vector<char> ra(per_chunk * wa), rb(per_chunk * wb);
  std::vector<double> va(per_chunk), vb(per_chunk);
  const bool same_bytes_possible = ta.dtype == tb.dtype;
  bool identical = same_bytes_possible;
  double aa = 0, bb = 0, ab = 0, dd = 0, max_abs = 0;
  uint64_t left = ta.elements;
  auto ended = [&](const std::string& label) {
    return Corrupt(label + ": tensor " + ta.name + ": values end before its " + std::to_string(ta.elements) +
                   " elements");
  };
  while (left > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(left, per_chunk));
    TRAIL_ASSIGN_OR_RETURN(size_t got_a, ReadFull(*sa, ra.data(), n * wa));
    if (got_a != n * wa) return ended(options.label_a);
    TRAIL_ASSIGN_OR_RETURN(size_t got_b, ReadFull(*sb, rb.data(), n * wb));
    if (got_b != n * wb) return ended(options.label_b);
    const bool same_chunk = same_bytes_possible && std::memcmp(ra.data(), rb.data(), n * wa) == 0;
    if (!same_chunk) identical = false;
    ToDoubles(ta.dtype, ra.data(), n, va.data());
    if (same_chunk) {
      // Equal bytes are equal values: only ||a|| moves (checkpoints share most chunks).
      double sum = 0;
      for (size_t i = 0; i < n; ++i) sum += va[i] * va[i];
      aa += sum;
      bb += sum;
      ab += sum;
      left -= n;
      continue;
    }
    ToDoubles(tb.dtype, rb.data(), n, vb.data());
    for (size_t i = 0; i < n; ++i) {
      const double x = va[i], y = vb[i], diff = x - y;
      aa += x * x;
      bb += y * y;
      ab += x * y;
      dd += diff * diff;
      // NaN on either side propagates: a tensor that went NaN is the largest change there is.
      const double abs = std::fabs(diff);
      if (std::isnan(abs))
        max_abs = abs;
      else if (abs > max_abs)  // false once max_abs is NaN: it stays NaN
        max_abs = abs;
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
  d.max_abs_diff = max_abs;
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
    if (options.values && numeric && ta.elements > 0) {
      TRAIL_RETURN_IF_ERROR(CompareValues(a, i, b, it->second, options, d));
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
