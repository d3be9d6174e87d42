#include "model/diff.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <tuple>
#include <vector>

#include "base/test_temp_dir.h"
#include "model/values.h"

namespace trail::model {
namespace {

struct Tensor {
  std::string name;
  std::string dtype;  // safetensors spelling: F32, F64, I32
  std::vector<int64_t> shape;
  std::string bytes;
};

template <typename T>
std::string Bytes(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

// Writes a safetensors file by the published layout: u64 header length, JSON header, data.
void WriteSafetensors(const std::string& path, const std::vector<Tensor>& tensors) {
  Json header = Json::object();
  std::string data;
  for (const Tensor& t : tensors) {
    header[t.name] = {
        {"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  const std::string h = header.dump();
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((uint64_t{h.size()} >> (8 * i)) & 0xff));
  std::ofstream(path, std::ios::binary) << out << h << data;
}

std::unique_ptr<ModelFile> Open(const std::string& path) {
  auto m = OpenModel(path);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return m.ok() ? std::move(m).value() : nullptr;
}

const TensorDiff* Find(const ModelDiff& d, const std::string& name) {
  for (const TensorDiff& t : d.tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

class DiffTest : public ::testing::Test {
 protected:
  std::string Path(const std::string& name) { return dir_.path() + "/" + name; }
  trail::testing::TempDir dir_;
};

TEST_F(DiffTest, IdenticalModelsHaveNoChanges) {
  const std::vector<Tensor> t = {{"w", "F32", {2, 2}, Bytes<float>({1, 2, 3, 4})},
                                 {"b", "F32", {2}, Bytes<float>({0, 0})}};
  WriteSafetensors(Path("a.safetensors"), t);
  WriteSafetensors(Path("b.safetensors"), t);
  auto a = Open(Path("a.safetensors"));
  auto b = Open(Path("b.safetensors"));
  auto d = DiffModels(*a, *b);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->identical, 2u);
  EXPECT_EQ(d->changed + d->added + d->removed + d->reshaped + d->dtype_changed, 0u);
  EXPECT_TRUE(d->architecture.empty());
  const TensorDiff* w = Find(*d, "w");
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->identical);
  EXPECT_EQ(w->max_abs_diff, 0);
  EXPECT_EQ(w->relative_l2, 0);
  EXPECT_EQ(w->cosine, 1);
  EXPECT_EQ(ToJson(*d, false)["tensors"].size(), 0u);
  EXPECT_EQ(ToJson(*d, true)["tensors"].size(), 2u);
}

TEST_F(DiffTest, ChangedValuesGiveExactStatisticsSortedByChange) {
  WriteSafetensors(Path("a.safetensors"), {{"small", "F32", {4}, Bytes<float>({1, 2, 3, 4})},
                                           {"big", "F64", {2}, Bytes<double>({3, 4})},
                                           {"same", "I32", {3}, Bytes<int32_t>({7, 8, 9})}});
  WriteSafetensors(Path("b.safetensors"), {{"small", "F32", {4}, Bytes<float>({1, 2, 3, 5})},
                                           {"big", "F64", {2}, Bytes<double>({-3, -4})},
                                           {"same", "I32", {3}, Bytes<int32_t>({7, 8, 9})}});
  auto a = Open(Path("a.safetensors"));
  auto b = Open(Path("b.safetensors"));
  auto d = DiffModels(*a, *b);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->changed, 2u);
  EXPECT_EQ(d->identical, 1u);
  ASSERT_EQ(d->tensors.size(), 3u);
  // big: a = (3,4), b = -a: ||a-b|| = 10, ||a|| = 5, cosine -1, max |a-b| = 8.
  EXPECT_EQ(d->tensors[0].name, "big");
  EXPECT_DOUBLE_EQ(d->tensors[0].relative_l2, 2.0);
  EXPECT_DOUBLE_EQ(d->tensors[0].cosine, -1.0);
  EXPECT_DOUBLE_EQ(d->tensors[0].max_abs_diff, 8.0);
  // small: ||a-b|| = 1, ||a|| = sqrt(30), a.b = 1+4+9+20 = 34, ||b|| = sqrt(39).
  EXPECT_EQ(d->tensors[1].name, "small");
  EXPECT_DOUBLE_EQ(d->tensors[1].relative_l2, 1 / std::sqrt(30.0));
  EXPECT_DOUBLE_EQ(d->tensors[1].cosine, 34 / (std::sqrt(30.0) * std::sqrt(39.0)));
  EXPECT_DOUBLE_EQ(d->tensors[1].max_abs_diff, 1.0);
  EXPECT_FALSE(d->tensors[1].identical);
  EXPECT_EQ(d->tensors[2].name, "same");
  EXPECT_EQ(d->tensors[2].kind, TensorDiff::Kind::kIdentical);
  const Json j = ToJson(*d, false);
  EXPECT_EQ(j["summary"]["changed"], 2);
  EXPECT_EQ(j["tensors"][0]["name"], "big");
  EXPECT_EQ(j["tensors"][0]["change"], "changed");
}

TEST_F(DiffTest, AddedRemovedReshapedAndDtypeChanged) {
  WriteSafetensors(Path("a.safetensors"), {{"gone", "F32", {1}, Bytes<float>({1})},
                                           {"grow", "F32", {2}, Bytes<float>({1, 2})},
                                           {"cast", "F32", {2}, Bytes<float>({1.5f, 2})}});
  WriteSafetensors(Path("b.safetensors"), {{"grow", "F32", {3}, Bytes<float>({1, 2, 3})},
                                           {"cast", "F64", {2}, Bytes<double>({1.5, 2})},
                                           {"new", "I32", {1, 1}, Bytes<int32_t>({5})}});
  auto a = Open(Path("a.safetensors"));
  auto b = Open(Path("b.safetensors"));
  auto d = DiffModels(*a, *b);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->added, 1u);
  EXPECT_EQ(d->removed, 1u);
  EXPECT_EQ(d->reshaped, 1u);
  EXPECT_EQ(d->dtype_changed, 1u);
  EXPECT_EQ(d->changed + d->identical, 0u);
  EXPECT_EQ(Find(*d, "gone")->kind, TensorDiff::Kind::kRemoved);
  EXPECT_EQ(Find(*d, "new")->kind, TensorDiff::Kind::kAdded);
  EXPECT_EQ(Find(*d, "new")->shape_b, (std::vector<int64_t>{1, 1}));
  const TensorDiff* grow = Find(*d, "grow");
  EXPECT_EQ(grow->kind, TensorDiff::Kind::kReshaped);
  EXPECT_EQ(grow->shape_a, (std::vector<int64_t>{2}));
  EXPECT_EQ(grow->shape_b, (std::vector<int64_t>{3}));
  EXPECT_FALSE(grow->compared);
  // Same shape, another dtype: the values are still compared (as numbers, not bytes).
  const TensorDiff* cast = Find(*d, "cast");
  EXPECT_EQ(cast->kind, TensorDiff::Kind::kDtypeChanged);
  EXPECT_EQ(cast->dtype_a, "float32");
  EXPECT_EQ(cast->dtype_b, "float64");
  EXPECT_TRUE(cast->compared);
  EXPECT_FALSE(cast->identical);
  EXPECT_EQ(cast->max_abs_diff, 0);
  EXPECT_DOUBLE_EQ(cast->cosine, 1);
  EXPECT_EQ(d->tensors.size(), 4u);
}

TEST_F(DiffTest, TensorsLargerThanAChunkAreStreamedInLockstep) {
  // 3.5 chunks of float32 on one side and float64 on the other: the chunk borders differ in
  // bytes, and one value changes on each side of every border.
  const size_t n = kValueChunkBytes / 4 * 3 + kValueChunkBytes / 8;
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(i % 1000) - 500;
  std::vector<float> y = x;
  std::vector<double> z(x.begin(), x.end());
  double dd = 0;
  for (size_t border = kValueChunkBytes / 8; border < n; border += kValueChunkBytes / 8) {
    y[border - 1] += 1;
    y[border] -= 2;
    dd += 1 + 4;
  }
  y[n - 1] += 3;
  dd += 9;
  double aa = 0;
  for (float v : x) aa += double{v} * v;
  WriteSafetensors(Path("a.safetensors"), {{"t", "F32", {static_cast<int64_t>(n)}, Bytes(x)},
                                           {"u", "F32", {static_cast<int64_t>(n)}, Bytes(x)}});
  WriteSafetensors(Path("b.safetensors"), {{"t", "F32", {static_cast<int64_t>(n)}, Bytes(y)},
                                           {"u", "F64", {static_cast<int64_t>(n)}, Bytes(z)}});
  auto a = Open(Path("a.safetensors"));
  auto b = Open(Path("b.safetensors"));
  auto d = DiffModels(*a, *b);
  ASSERT_TRUE(d.ok()) << d.status().message();
  const TensorDiff* t = Find(*d, "t");
  EXPECT_DOUBLE_EQ(t->max_abs_diff, 3);
  EXPECT_NEAR(t->relative_l2, std::sqrt(dd) / std::sqrt(aa), 1e-12);
  const TensorDiff* u = Find(*d, "u");
  EXPECT_EQ(u->kind, TensorDiff::Kind::kDtypeChanged);
  EXPECT_EQ(u->max_abs_diff, 0);
  EXPECT_EQ(u->relative_l2, 0);
}

TEST_F(DiffTest, AFileTruncatedMidDiffIsAnError) {
  const size_t n = kValueChunkBytes / 4 * 2;
  std::vector<float> x(n, 1.0f);
  WriteSafetensors(Path("a.safetensors"), {{"t", "F32", {static_cast<int64_t>(n)}, Bytes(x)}});
  WriteSafetensors(Path("b.safetensors"), {{"t", "F32", {static_cast<int64_t>(n)}, Bytes(x)}});
  auto a = Open(Path("a.safetensors"));
  auto b = Open(Path("b.safetensors"));
  // Cut after the open checked the sizes: the second chunk is no longer there.
  ASSERT_EQ(::truncate(Path("b.safetensors").c_str(), kValueChunkBytes + 100), 0);
  auto d = DiffModels(*a, *b, {.values = true, .label_a = "a.safetensors", .label_b = "b.safetensors"});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("b.safetensors"), std::string::npos) << d.status().message();
  // Listings alone still compare.
  auto listing = DiffModels(*a, *b, {.values = false});
  ASSERT_TRUE(listing.ok());
  EXPECT_EQ(listing->changed, 1u);  // not compared: not known to be identical
}

TEST_F(DiffTest, NanAndZeroTensors) {
  WriteSafetensors(Path("a.safetensors"), {{"zero", "F32", {2}, Bytes<float>({0, 0})},
                                           {"nan", "F32", {2}, Bytes<float>({1, 1})},
                                           {"from_zero", "F32", {1}, Bytes<float>({0})}});
  WriteSafetensors(Path("b.safetensors"), {{"zero", "F32", {2}, Bytes<float>({0, -0.0f})},
                                           {"nan", "F32", {2}, Bytes<float>({NAN, 1})},
                                           {"from_zero", "F32", {1}, Bytes<float>({2})}});
  auto a = Open(Path("a.safetensors"));
  auto b = Open(Path("b.safetensors"));
  auto d = DiffModels(*a, *b);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->tensors[0].name, "nan");  // a tensor gone NaN sorts first
  EXPECT_TRUE(std::isnan(d->tensors[0].max_abs_diff));
  EXPECT_EQ(ToJson(*d, false)["tensors"][0]["max_abs_diff"], "nan");
  const TensorDiff* from_zero = Find(*d, "from_zero");
  EXPECT_TRUE(std::isinf(from_zero->relative_l2));
  EXPECT_EQ(from_zero->cosine, 0);
  const TensorDiff* zero = Find(*d, "zero");  // -0 and 0: other bytes, equal values
  EXPECT_FALSE(zero->identical);
  EXPECT_EQ(zero->relative_l2, 0);
  EXPECT_EQ(zero->cosine, 1);
}

// Every finite float16 and bfloat16 value, and float32 values of every exponent, widened in
// blocks: each compares equal to its exact double (a float64 tensor written from ToDoubles).
TEST_F(DiffTest, HalfAndBfloat16WidenExactly) {
  std::vector<Tensor> a, b;
  for (auto [name, dtype, kind] : {std::tuple{"half", "F16", DType::kFloat16}, {"brain", "BF16", DType::kBFloat16}}) {
    std::vector<uint16_t> bits;
    for (uint32_t h = 0; h < 0x10000; ++h) {
      const bool finite = kind == DType::kFloat16 ? (h & 0x7c00) != 0x7c00 : (h & 0x7f80) != 0x7f80;
      if (finite) bits.push_back(static_cast<uint16_t>(h));
    }
    std::vector<double> exact(bits.size());
    ToDoubles(kind, reinterpret_cast<const char*>(bits.data()), bits.size(), exact.data());
    const int64_t n = static_cast<int64_t>(bits.size());
    a.push_back({name, dtype, {n}, Bytes(bits)});
    b.push_back({name, "F64", {n}, Bytes(exact)});
  }
  std::vector<float> f;
  for (int e = -149; e < 128; ++e) f.push_back(std::ldexp(-1.25f, e));
  a.push_back({"single", "F32", {static_cast<int64_t>(f.size())}, Bytes(f)});
  b.push_back({"single", "F64", {static_cast<int64_t>(f.size())}, Bytes(std::vector<double>(f.begin(), f.end()))});
  WriteSafetensors(Path("a.safetensors"), a);
  WriteSafetensors(Path("b.safetensors"), b);
  auto ma = Open(Path("a.safetensors"));
  auto mb = Open(Path("b.safetensors"));
  auto d = DiffModels(*ma, *mb);
  ASSERT_TRUE(d.ok()) << d.status().message();
  for (const char* name : {"half", "brain", "single"}) {
    const TensorDiff* t = Find(*d, name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_TRUE(t->compared) << name;
    EXPECT_EQ(t->max_abs_diff, 0) << name;
    EXPECT_EQ(t->relative_l2, 0) << name;
  }
}

// Values from memory, cut into reads of odd sizes, with a tensor whose stream cannot be opened
// (`fail_open`) or fails after `fail_after` bytes: the readers ahead of the comparison stop
// cleanly, whatever side fails and wherever.
class MemoryModel : public ModelFile {
 public:
  explicit MemoryModel(std::vector<std::vector<double>> tensors, size_t fail_open = SIZE_MAX,
                       size_t fail_after = SIZE_MAX)
      : values_(std::move(tensors)), fail_open_(fail_open), fail_after_(fail_after) {
    for (size_t i = 0; i < values_.size(); ++i) {
      TensorInfo t;
      t.name = "t" + std::to_string(i);
      t.dtype = DType::kFloat64;
      t.dtype_name = "float64";
      t.shape = {static_cast<int64_t>(values_[i].size())};
      t.elements = values_[i].size();
      t.bytes = t.elements * 8;
      info_.tensors.push_back(t);
    }
  }

  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t index) override {
    if (index == fail_open_) return IoError("t" + std::to_string(index) + ": cannot open");
    return std::unique_ptr<ValueStream>(std::make_unique<Stream>(values_[index], fail_after_));
  }

 private:
  class Stream : public ValueStream {
   public:
    Stream(const std::vector<double>& v, size_t fail_after)
        : data_(reinterpret_cast<const char*>(v.data())), left_(v.size() * 8), fail_after_(fail_after) {}
    StatusOr<size_t> Read(char* buf, size_t capacity) override {
      if (done_ >= fail_after_) return IoError("read failed");
      const size_t n = std::min({capacity, left_, size_t{12345}});
      std::memcpy(buf, data_ + done_, n);
      done_ += n;
      left_ -= n;
      return n;
    }

   private:
    const char* data_;
    size_t left_, done_ = 0, fail_after_;
  };

  std::vector<std::vector<double>> values_;
  size_t fail_open_, fail_after_;
};

// The statistics are those of the values, across chunk and block borders: within 1e-12 of a pass
// in long double, the maximum exactly, and the same figures every time (the order is fixed).
TEST(DiffStreamTest, ResultsMatchAHighPrecisionPassAndRepeatExactly) {
  const size_t n = kValueChunkBytes / 8 * 2 + 3001;
  std::vector<double> x(n), y(n);
  for (size_t i = 0; i < n; ++i) {
    x[i] = std::sin(0.001 * i) * 1e3 + 1e-7 * i;
    y[i] = i % 7 == 0 ? x[i] : x[i] * (1 + 1e-9 * (i % 13)) - 1e-12;
  }
  long double aa = 0, bb = 0, ab = 0, dd = 0;
  double max_abs = 0;
  for (size_t i = 0; i < n; ++i) {
    const long double xi = x[i], yi = y[i], diff = x[i] - y[i];
    aa += xi * xi;
    bb += yi * yi;
    ab += xi * yi;
    dd += diff * diff;
    max_abs = std::max(max_abs, std::fabs(x[i] - y[i]));
  }
  const double relative_l2 = static_cast<double>(std::sqrt(dd) / std::sqrt(aa));
  const double cosine = static_cast<double>(ab / (std::sqrt(aa) * std::sqrt(bb)));
  MemoryModel a({x, {1, 2}, x}), b({y, {1, 2}, x});
  auto d = DiffModels(a, b);
  ASSERT_TRUE(d.ok()) << d.status().message();
  const TensorDiff* t = Find(*d, "t0");
  EXPECT_EQ(t->max_abs_diff, max_abs);
  EXPECT_NEAR(t->relative_l2, relative_l2, 1e-12 * relative_l2);
  EXPECT_NEAR(t->cosine, cosine, 1e-12);
  auto again = DiffModels(a, b);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(Find(*again, "t0")->relative_l2, t->relative_l2);
  EXPECT_EQ(Find(*again, "t0")->cosine, t->cosine);
  EXPECT_EQ(d->identical, 2u);
  // One file on both sides: its reads are made one at a time.
  auto same = DiffModels(a, a);
  ASSERT_TRUE(same.ok()) << same.status().message();
  EXPECT_EQ(same->identical, 3u);
}

TEST(DiffStreamTest, AStreamThatFailsEndsTheDiffWithItsError) {
  const std::vector<double> big(kValueChunkBytes / 8 * 3, 1.5);
  MemoryModel good({big, big, big});
  for (auto [open, after] : {std::pair<size_t, size_t>{0, SIZE_MAX}, {2, SIZE_MAX}, {SIZE_MAX, 1 << 20}}) {
    MemoryModel bad({big, big, big}, open, after);
    for (bool bad_first : {true, false}) {
      auto d = bad_first ? DiffModels(bad, good) : DiffModels(good, bad);
      ASSERT_FALSE(d.ok());
      EXPECT_EQ(d.status().code(), Code::kIo) << d.status().message();
    }
  }
}

// A model that exists only in memory, for architecture differences (no values).
class FakeModel : public ModelFile {
 public:
  explicit FakeModel(ModelInfo info) { info_ = std::move(info); }
  StatusOr<std::unique_ptr<ValueStream>> OpenTensor(size_t) override { return FailedPrecondition("no values"); }
};

TEST(DiffArchitectureTest, LayersConfigsOpsAndVersions) {
  ModelInfo a, b;
  a.format = b.format = "keras-h5";
  a.framework = b.framework = "keras";
  a.framework_version = "2.12.0";
  b.framework_version = "2.15.0";
  a.layers = {{"dense", "Dense", 10, Json{{"units", 4}, {"activation", "relu"}, {"nested", {{"l2", 0.01}}}}},
              {"drop", "Dropout", 0, Json{{"rate", 0.5}}}};
  b.layers = {{"dense", "Dense", 10, Json{{"units", 8}, {"activation", "relu"}, {"nested", {{"l2", 0.02}}}}},
              {"out", "Dense", 5, Json{{"units", 1}}}};
  a.op_counts = {{"Dense", 1}, {"Dropout", 1}};
  b.op_counts = {{"Dense", 2}};
  a.inputs = {{"x", "float32", {-1, 4}, true}};
  b.inputs = {{"x", "float32", {-1, 8}, true}};
  a.architecture = Json{{"layers", "repeated"}};
  b.architecture = Json{{"layers", "differs"}};
  FakeModel ma(a), mb(b);
  auto d = DiffModels(ma, mb);
  ASSERT_TRUE(d.ok()) << d.status().message();
  std::vector<std::string> got;
  for (const ArchitectureChange& c : d->architecture)
    got.push_back(c.what + " " + c.path + " " + c.old_value.dump() + " -> " + c.new_value.dump());
  EXPECT_EQ(
      got,
      (std::vector<std::string>{
          R"(framework version  "2.12.0" -> "2.15.0")",
          R"(layer removed drop "Dropout" -> null)",
          R"(config dense.config.units 4 -> 8)",
          R"(config dense.config.nested.l2 0.01 -> 0.02)",
          R"(layer added out null -> "Dense")",
          R"(op count Dense 1 -> 2)",
          R"(op count Dropout 1 -> 0)",
          R"(inputs  [{"name":"x","dtype":"float32","shape":[-1,4]}] -> [{"name":"x","dtype":"float32","shape":[-1,8]}])",
      }));
}

TEST(DiffArchitectureTest, ArchitectureWalkedWithoutLayersAndBounded) {
  ModelInfo a, b;
  a.format = b.format = "onnx";
  a.architecture = Json{{"opset_import", {{{"domain", ""}, {"version", 13}}}}, {"list", {1, 2}}};
  b.architecture = Json{{"opset_import", {{{"domain", ""}, {"version", 17}}}}, {"list", {1, 2, 3}}};
  FakeModel ma(a), mb(b);
  auto d = DiffModels(ma, mb);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->architecture.size(), 2u);
  EXPECT_EQ(d->architecture[0].path, "architecture.opset_import[0].version");  // in the file's key order
  EXPECT_EQ(d->architecture[0].old_value, 13);
  EXPECT_EQ(d->architecture[0].new_value, 17);
  EXPECT_EQ(d->architecture[1].path, "architecture.list");  // arrays of another length: whole

  // A hostile, deep config is walked to a bounded depth; many changes are counted, not listed.
  Json deep_a = 1, deep_b = 2;
  for (int i = 0; i < 1000; ++i) {
    deep_a = Json{{"k", deep_a}};
    deep_b = Json{{"k", deep_b}};
  }
  Json wide_a = Json::object(), wide_b = Json::object();
  for (int i = 0; i < 1000; ++i) {
    wide_a["k" + std::to_string(i)] = i;
    wide_b["k" + std::to_string(i)] = -i - 1;
  }
  ModelInfo c, e;
  c.architecture = Json{{"deep", deep_a}, {"wide", wide_a}};
  e.architecture = Json{{"deep", deep_b}, {"wide", wide_b}};
  FakeModel mc(c), me(e);
  auto big = DiffModels(mc, me, {.max_architecture_changes = 100});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->architecture.size(), 100u);
  EXPECT_EQ(big->architecture_more, 901u);
}

}  // namespace
}  // namespace trail::model
