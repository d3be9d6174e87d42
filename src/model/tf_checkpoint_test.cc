#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <vector>

#include "base/sha256.h"
#include "base/test_temp_dir.h"
#include "model/model_file.h"
#include "model/test_tf_writer.h"
#include "model/tf_partition.h"
#include "model/values.h"

namespace trail::model {
namespace {

namespace tfw = trail::testing::tf;

template <typename T>
std::string CkptBytes(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  if (!v.empty()) std::memcpy(s.data(), v.data(), s.size());
  return s;
}

std::string Checksum(const std::string& bytes) {
  const Sha256Digest d = Sha256Of(bytes);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), 16));
}

std::string ReadAll(ModelFile& model, size_t index, Status* status) {
  std::string out;
  *status = ForEachChunk(model, index, [&](std::string_view raw) {
    out.append(raw);
    return Status::Ok();
  });
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

// Two shards, every dtype family, a scalar and an empty tensor, a string (no values).
std::vector<tfw::Tensor> ManyDtypes() {
  return {
      {"dense/kernel", tfw::kDtFloat, {2, 3}, CkptBytes<float>({1.5f, -2, 3, 4, 5.25f, 6}), 0},
      {"dense/bias", tfw::kDtDouble, {3}, CkptBytes<double>({0.1, -0.2, 1e300}), 1},
      {"embedding/ids", tfw::kDtInt64, {2}, CkptBytes<int64_t>({-7, int64_t{1} << 40}), 0},
      {"counts", tfw::kDtInt32, {4}, CkptBytes<int32_t>({1, -2, 3, 2147483647}), 1},
      {"mask", tfw::kDtBool, {3}, std::string("\x01\x00\x01", 3), 0},
      {"q", tfw::kDtInt8, {2}, std::string("\x80\x7f", 2), 1},
      {"pixels", tfw::kDtUint8, {2}, std::string("\x00\xff", 2), 0},
      {"half", tfw::kDtHalf, {2}, CkptBytes<uint16_t>({0x3c00, 0xc000}), 1},
      {"brain", tfw::kDtBfloat16, {1}, CkptBytes<uint16_t>({0x3f80}), 0},
      {"scale", tfw::kDtFloat, {}, CkptBytes<float>({0.5f}), 1},
      {"empty", tfw::kDtFloat, {0, 4}, "", 0},
      {"vocab",
       tfw::kDtString,
       {2},
       std::string("\x01\x01"
                   "ab",
                   4),
       1},
  };
}

TEST(TfCheckpointTest, ReadsEveryDtypeAcrossShardsWithValuesAndChecksums) {
  trail::testing::TempDir dir;
  const std::string prefix = dir.path() + "/model.ckpt";
  const std::vector<tfw::Tensor> written = ManyDtypes();
  ASSERT_TRUE(tfw::WriteBundle(prefix, written, 2));
  for (const std::string& name :
       {prefix, prefix + ".index", prefix + ".data-00000-of-00002", prefix + ".data-00001-of-00002"}) {
    EXPECT_EQ(DetectModelFormat(name), "tf-checkpoint-v2") << name;
    auto model = OpenModel(name);
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ((*model)->info().tensors.size(), written.size());
  }
  auto model = OpenModel(prefix);
  ASSERT_TRUE(model.ok());
  ModelInfo& info = (*model)->mutable_info();
  EXPECT_EQ(info.format, "tf-checkpoint-v2");
  EXPECT_EQ(info.framework, "tensorflow");
  ASSERT_TRUE(ComputeChecksums(**model).ok());

  const std::map<std::string, std::string> dtype_names = {
      {"dense/kernel", "float32"}, {"dense/bias", "float64"}, {"embedding/ids", "int64"},
      {"counts", "int32"},         {"mask", "bool"},          {"q", "int8"},
      {"pixels", "uint8"},         {"half", "float16"},       {"brain", "bfloat16"},
      {"scale", "float32"},        {"empty", "float32"},      {"vocab", "string"}};
  uint64_t parameters = 0, bytes = 0;
  for (const tfw::Tensor& w : written) {
    auto it =
        std::find_if(info.tensors.begin(), info.tensors.end(), [&](const TensorInfo& t) { return t.name == w.name; });
    ASSERT_NE(it, info.tensors.end()) << w.name;
    const size_t index = static_cast<size_t>(it - info.tensors.begin());
    EXPECT_EQ(it->dtype_name, dtype_names.at(w.name));
    EXPECT_EQ(it->shape, w.shape) << w.name;
    EXPECT_EQ(it->bytes, w.bytes.size()) << w.name;
    EXPECT_TRUE(it->is_parameter) << w.name;
    bytes += w.bytes.size();
    if (w.dtype == tfw::kDtString) {
      EXPECT_EQ(it->dtype, DType::kOther);
      EXPECT_EQ(it->checksum, "");
      EXPECT_EQ((*model)->OpenTensor(index).status().code(), Code::kFailedPrecondition);
      parameters += 2;
      continue;
    }
    uint64_t elements = 1;
    for (int64_t d : w.shape) elements *= static_cast<uint64_t>(d);
    EXPECT_EQ(it->elements, elements) << w.name;
    parameters += elements;
    Status s;
    EXPECT_EQ(ReadAll(**model, index, &s), w.bytes) << w.name;
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(it->checksum, Checksum(w.bytes)) << w.name;
  }
  EXPECT_EQ(info.parameters, parameters);
  EXPECT_EQ(info.tensor_bytes, bytes);
  // Values as numbers, for one float and one half tensor.
  auto kernel =
      std::find_if(info.tensors.begin(), info.tensors.end(), [](auto& t) { return t.name == "dense/kernel"; });
  std::vector<double> values;
  ASSERT_TRUE(ForEachChunk(**model, static_cast<size_t>(kernel - info.tensors.begin()), [&](std::string_view raw) {
                std::vector<double> chunk(raw.size() / 4);
                ToDoubles(DType::kFloat32, raw.data(), chunk.size(), chunk.data());
                values.insert(values.end(), chunk.begin(), chunk.end());
                return Status::Ok();
              }).ok());
  EXPECT_EQ(values, (std::vector<double>{1.5, -2, 3, 4, 5.25, 6}));
}

TEST(TfCheckpointTest, Tf2OptimizerSlotsAndCountersAreNotParameters) {
  trail::testing::TempDir dir;
  const std::string prefix = dir.path() + "/ckpt-3";
  const std::string v = "/.ATTRIBUTES/VARIABLE_VALUE";
  const std::string k = CkptBytes<float>({1, 2, 3, 4});
  ASSERT_TRUE(
      tfw::WriteBundle(prefix, {{"model/dense/kernel" + v, tfw::kDtFloat, {2, 2}, k},
                                {"model/dense/kernel/.OPTIMIZER_SLOT/optimizer/m" + v, tfw::kDtFloat, {2, 2}, k},
                                {"model/dense/kernel/.OPTIMIZER_SLOT/optimizer/v" + v, tfw::kDtFloat, {2, 2}, k},
                                {"optimizer/iter" + v, tfw::kDtInt64, {}, CkptBytes<int64_t>({30})},
                                {"optimizer/learning_rate" + v, tfw::kDtFloat, {}, CkptBytes<float>({0.001f})},
                                {"save_counter" + v, tfw::kDtInt64, {}, CkptBytes<int64_t>({3})},
                                {"keras_api/metrics/0/count" + v, tfw::kDtFloat, {}, CkptBytes<float>({60000})},
                                {"_CHECKPOINTABLE_OBJECT_GRAPH",
                                 tfw::kDtString,
                                 {},
                                 std::string("\x03"
                                             "abc",
                                             4)}}));
  auto model = OpenModel(prefix);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  ASSERT_EQ(info.tensors.size(), 8u);
  for (const TensorInfo& t : info.tensors) EXPECT_EQ(t.is_parameter, t.name == "model/dense/kernel" + v) << t.name;
  EXPECT_EQ(info.parameters, 4u);
  ASSERT_EQ(info.functions.size(), 1u);
  EXPECT_EQ(info.functions[0].kind, "optimizer");
  EXPECT_EQ(info.functions[0].spelling, "Adam");
}

TEST(TfCheckpointTest, Tf1SlotNamesTellTheOptimizer) {
  trail::testing::TempDir dir;
  const std::string prefix = dir.path() + "/model.ckpt-1000";
  const std::string w = CkptBytes<float>({1, 2});
  ASSERT_TRUE(tfw::WriteBundle(prefix, {{"w", tfw::kDtFloat, {2}, w},
                                        {"w/Adam", tfw::kDtFloat, {2}, w},
                                        {"w/Adam_1", tfw::kDtFloat, {2}, w},
                                        {"beta1_power", tfw::kDtFloat, {}, CkptBytes<float>({0.9f})},
                                        {"global_step", tfw::kDtInt64, {}, CkptBytes<int64_t>({1000})},
                                        {"b/Momentum", tfw::kDtFloat, {2}, w}}));
  auto model = OpenModel(prefix + ".index");
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.parameters, 2u);
  std::vector<std::string> optimizers;
  for (const FoundFunction& f : info.functions) optimizers.push_back(f.spelling);
  std::sort(optimizers.begin(), optimizers.end());
  EXPECT_EQ(optimizers, (std::vector<std::string>{"Adam", "Momentum"}));
}

TEST(TfCheckpointTest, BigEndianBundlesAreSwapped) {
  trail::testing::TempDir dir;
  const std::string prefix = dir.path() + "/be";
  const std::string big = std::string("\x3f\x80\x00\x00\xc0\x00\x00\x00", 8);  // 1.0f, -2.0f
  std::map<std::string, std::string> index;
  index[""] = tfw::BundleHeader(1, /*big_endian=*/true);
  index["x"] = tfw::BundleEntry(tfw::kDtFloat, {2}, 0, 0, 8, MaskCrc(Crc32c(big)));
  ASSERT_TRUE(tfw::WriteTable(prefix + ".index", index));
  WriteFile(prefix + ".data-00000-of-00001", big);
  auto model = OpenModel(prefix);
  ASSERT_TRUE(model.ok()) << model.status().message();
  Status s;
  EXPECT_EQ(ReadAll(**model, 0, &s), CkptBytes<float>({1, -2}));
  EXPECT_TRUE(s.ok());
}

// The keys TF's EncodeTensorNameSlice gives, computed by hand from OrderedCode's format.
TEST(TfPartitionTest, SliceKeysAreOrderedCode) {
  const std::string key = TfSliceKey("emb", {{0, 2}, {0, -1}});
  EXPECT_EQ(key, std::string("\x00"
                             "emb\x00\x01"
                             "\x01\x02"
                             "\x80\x82"
                             "\x80\x7f",
                             12));
  // 1000 = 0x3e8 takes two bytes (header 0xc0); a name's 00 and ff bytes are escaped.
  EXPECT_EQ(TfSliceKey(std::string("a\0\xff", 3), {{1000, 64}}), std::string("\x00"
                                                                             "a\x00\xff\xff\x00\x00\x01"
                                                                             "\x01\x01"
                                                                             "\xc3\xe8\xc0\x40",
                                                                             14));
  // The test writer's independent encoding agrees, up to 10-byte numbers.
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{63}, int64_t{64}, int64_t{-64}, int64_t{-65}, int64_t{8191},
                    int64_t{1} << 40, -(int64_t{1} << 50), INT64_MAX, INT64_MIN + 1}) {
    EXPECT_EQ(TfSliceKey("v", {{v < 0 ? 0 : v, v}}), tfw::SliceKey("v", {{v < 0 ? 0 : v, v}})) << v;
  }
  std::vector<SliceExtent> extents;
  ASSERT_TRUE(ParseTensorSlice(tfw::SliceProto({{0, -1}, {3, 4}}), &extents));
  EXPECT_EQ(SliceText(extents), "[:, 3:7]");
}

// Partitioned variables as tf.compat.v1.get_variable(partitioner=...) saves them: along the first
// dimension over two shards, along the second, and split along both (not assembled).
class TfPartitionedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new trail::testing::TempDir();
    // emb [5, 3] float in rows 0:2 (shard 1), 2:4 (shard 0), 4:5 (shard 1).
    std::vector<float> emb(15);
    for (size_t i = 0; i < emb.size(); ++i) emb[i] = 0.5f * static_cast<float>(i) - 3;
    emb_ = CkptBytes(emb);
    // cols [2, 4] int64 in columns 0:1 and 1:4.
    cols_ = CkptBytes<int64_t>({1, 2, 3, 4, 5, 6, 7, -8});
    const std::vector<tfw::Partitioned> partitioned = {
        {"emb",
         tfw::kDtFloat,
         {5, 3},
         {{{{0, 2}, {0, -1}}, emb_.substr(0, 24), 1},
          {{{2, 2}, {0, -1}}, emb_.substr(24, 24), 0},
          {{{4, 1}, {0, -1}}, emb_.substr(48), 1}}},
        {"cols",
         tfw::kDtInt64,
         {2, 4},
         {{{{0, -1}, {0, 1}}, CkptBytes<int64_t>({1, 5}), 0},
          {{{0, -1}, {1, 3}}, CkptBytes<int64_t>({2, 3, 4, 6, 7, -8}), 0}}},
        {"grid",
         tfw::kDtFloat,
         {2, 2},
         {{{{0, 1}, {0, 1}}, CkptBytes<float>({1}), 0},
          {{{0, 1}, {1, 1}}, CkptBytes<float>({2}), 0},
          {{{1, 1}, {0, 2}}, CkptBytes<float>({3, 4}), 0}}}};
    ASSERT_TRUE(
        tfw::WritePartitionedBundle(Prefix(), {{"w", tfw::kDtFloat, {2}, CkptBytes<float>({9, 8})}}, partitioned, 2));
    ASSERT_TRUE(tfw::WriteBundle(dir_->path() + "/plain",
                                 {{"emb", tfw::kDtFloat, {5, 3}, emb_}, {"cols", tfw::kDtInt64, {2, 4}, cols_}}));
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string Prefix() { return dir_->path() + "/part"; }

  // A damaged copy of emb: `change` edits its slices before the bundle is written.
  Status OpenDamaged(const std::function<void(tfw::Partitioned&)>& change,
                     const std::map<std::string, std::string>& extra = {}) {
    tfw::Partitioned emb = {"emb",
                            tfw::kDtFloat,
                            {5, 3},
                            {{{{0, 2}, {0, -1}}, emb_.substr(0, 24), 0}, {{{2, 3}, {0, -1}}, emb_.substr(24), 0}}};
    change(emb);
    const std::string prefix = dir_->path() + "/damaged";
    if (!tfw::WritePartitionedBundle(prefix, {}, {emb}, 1, extra)) return Internal("cannot write");
    auto model = OpenModel(prefix);
    if (!model.ok()) return model.status();
    return ComputeChecksums(**model);
  }

  static size_t Find(const ModelInfo& info, const std::string& name) {
    for (size_t i = 0; i < info.tensors.size(); ++i) {
      if (info.tensors[i].name == name) return i;
    }
    return info.tensors.size();
  }

  static trail::testing::TempDir* dir_;
  static std::string emb_, cols_;
};
trail::testing::TempDir* TfPartitionedTest::dir_ = nullptr;
std::string TfPartitionedTest::emb_, TfPartitionedTest::cols_;

TEST_F(TfPartitionedTest, AssemblesVariablesSplitAlongOneDimension) {
  auto model = OpenModel(Prefix());
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_TRUE(ComputeChecksums(**model).ok());
  const ModelInfo& info = (*model)->info();
  // The slices' own entries are not tensors.
  std::vector<std::string> names;
  for (const TensorInfo& t : info.tensors) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"cols", "emb", "grid", "w"}));
  for (const auto& [name, bytes] : {std::pair{std::string("emb"), emb_}, std::pair{std::string("cols"), cols_}}) {
    const size_t i = Find(info, name);
    const TensorInfo& t = info.tensors[i];
    EXPECT_EQ(t.dtype_name, name == "emb" ? "float32" : "int64");
    EXPECT_EQ(t.shape, (name == "emb" ? std::vector<int64_t>{5, 3} : std::vector<int64_t>{2, 4}));
    EXPECT_EQ(t.bytes, bytes.size());
    Status s;
    EXPECT_EQ(ReadAll(**model, i, &s), bytes) << name;
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(t.checksum, Checksum(bytes)) << name;
  }
  // Checksums equal those of the same values saved unpartitioned.
  auto plain = OpenModel(dir_->path() + "/plain");
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE(ComputeChecksums(**plain).ok());
  for (const TensorInfo& t : (*plain)->info().tensors) {
    EXPECT_EQ(info.tensors[Find(info, t.name)].checksum, t.checksum) << t.name;
  }
  // Split along both dimensions: listed with its full shape, no values, and a note.
  const TensorInfo& grid = info.tensors[Find(info, "grid")];
  EXPECT_EQ(grid.dtype, DType::kOther);
  EXPECT_EQ(grid.dtype_name, "float32 (partitioned)");
  EXPECT_EQ(grid.bytes, 16u);
  EXPECT_EQ((*model)->OpenTensor(Find(info, "grid")).status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(info.parameters, 15u + 8 + 4 + 2);
  ASSERT_EQ(info.notes.size(), 2u);
  EXPECT_EQ(info.notes[0], "2 partitioned variables assembled from 5 slices");
  EXPECT_NE(info.notes[1].find("grid (slices along more than one dimension)"), std::string::npos) << info.notes[1];
}

TEST_F(TfPartitionedTest, SmallReadsAndChangedSliceBytes) {
  auto model = OpenModel(Prefix());
  ASSERT_TRUE(model.ok());
  // Reads of one element at a time cross every run boundary.
  auto stream = (*model)->OpenTensor(Find((*model)->info(), "cols"));
  ASSERT_TRUE(stream.ok());
  std::string got;
  char buf[8];
  for (;;) {
    auto n = (*stream)->Read(buf, sizeof buf);
    ASSERT_TRUE(n.ok()) << n.status().message();
    if (*n == 0) break;
    got.append(buf, *n);
  }
  EXPECT_EQ(got, cols_);
  // A slice whose bytes changed after the index was written fails its CRC32C, naming the variable.
  const Status s = OpenDamaged([](tfw::Partitioned&) {}, {{tfw::SliceKey("emb", {{2, 3}, {0, -1}}),
                                                           tfw::BundleEntry(tfw::kDtFloat, {3, 3}, 0, 24, 36, 12345)}});
  EXPECT_EQ(s.code(), Code::kCorrupt) << s.message();
  EXPECT_NE(s.message().find("tensor emb: slice 1's values do not match the index's CRC32C"), std::string::npos)
      << s.message();
}

TEST_F(TfPartitionedTest, DamagedSlicesAreCorruptNamingTheVariable) {
  auto expect = [](const Status& s, const std::string& says) {
    EXPECT_EQ(s.code(), Code::kCorrupt) << s.message();
    EXPECT_NE(s.message().find("damaged.index: tensor emb: "), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(says), std::string::npos) << s.message();
  };
  EXPECT_TRUE(OpenDamaged([](tfw::Partitioned&) {}).ok());
  // A slice the full entry names that is not in the index.
  expect(OpenDamaged(
             [&](tfw::Partitioned&) {},
             {{"emb", tfw::PartitionedEntry(
                          {"emb",
                           tfw::kDtFloat,
                           {5, 3},
                           {{{{0, 2}, {0, -1}}, "", 0}, {{{2, 3}, {0, -1}}, "", 0}, {{{5, 1}, {0, -1}}, "", 0}}})}}),
         "slice [5:6, :] is missing from the index");
  // Slices that overlap, leave a gap, or lie past the full shape.
  auto rows = [](int64_t start, int64_t length) {
    return [=](tfw::Partitioned& p) {
      p.slices[1].extents[0] = {start, length};
      p.slices[1].bytes = std::string(static_cast<size_t>(length) * 12, '\0');
    };
  };
  expect(OpenDamaged(rows(1, 4)), "overlaps another slice");
  expect(OpenDamaged(rows(3, 2)), "no slice holds [2, 3) of dimension 0 (a slice is missing)");
  expect(OpenDamaged([](tfw::Partitioned& p) { p.slices.pop_back(); }), "no slice holds [2, 5)");
  expect(OpenDamaged([](tfw::Partitioned& p) {
           p.slices[1].extents[0] = {2, 4};
         }),
         "slice [2:6, :] lies past the full shape [5, 3]");
  expect(OpenDamaged([](tfw::Partitioned& p) { p.slices[1].extents.pop_back(); }), "has rank 1, the variable 2");
  // A slice's entry whose shape or size disagrees with the slice.
  expect(OpenDamaged([](tfw::Partitioned& p) { p.slices[1].bytes.resize(32); }), "bytes do not hold");
  // Slices split along both dimensions that overlap or miss a part.
  expect(OpenDamaged([](tfw::Partitioned& p) {
           p.slices = {{{{0, 5}, {0, 2}}, std::string(40, '\0'), 0}, {{{0, 2}, {1, 2}}, std::string(16, '\0'), 0}};
         }),
         "overlap");
  expect(OpenDamaged([](tfw::Partitioned& p) {
           p.slices = {{{{0, 5}, {0, 2}}, std::string(40, '\0'), 0}, {{{0, 2}, {2, 1}}, std::string(8, '\0'), 0}};
         }),
         "hold 12 of its 15 elements");
}

TEST(TfCheckpointTest, ChangedShardBytesFailTheirCrc) {
  trail::testing::TempDir dir;
  const std::string prefix = dir.path() + "/m";
  ASSERT_TRUE(tfw::WriteBundle(prefix, {{"w", tfw::kDtFloat, {3}, CkptBytes<float>({1, 2, 3})}}));
  WriteFile(prefix + ".data-00000-of-00001", CkptBytes<float>({1, 2, 4}));
  auto model = OpenModel(prefix);
  ASSERT_TRUE(model.ok());
  Status s;
  ReadAll(**model, 0, &s);
  EXPECT_EQ(s.code(), Code::kCorrupt);
  EXPECT_NE(s.message().find("CRC32C"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("tensor w"), std::string::npos) << s.message();
}

// Hostile and broken bundles: each is one Corrupt error naming the index, never a crash.
class TfCheckpointHostileTest : public ::testing::Test {
 protected:
  void WriteIndex(const std::map<std::string, std::string>& index) {
    ASSERT_TRUE(tfw::WriteTable(prefix_ + ".index", index));
    WriteFile(prefix_ + ".data-00000-of-00001", CkptBytes<float>({1, 2, 3, 4}));
  }
  Status Open() {
    auto model = OpenModel(prefix_);
    return model.ok() ? Status::Ok() : model.status();
  }
  void ExpectCorrupt(const std::string& says) {
    const Status s = Open();
    EXPECT_EQ(s.code(), Code::kCorrupt) << s.message();
    EXPECT_NE(s.message().find(prefix_ + ".index"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(says), std::string::npos) << s.message();
  }
  trail::testing::TempDir dir_;
  const std::string prefix_ = dir_.path() + "/bad";
};

TEST_F(TfCheckpointHostileTest, EntryPastItsShard) {
  WriteIndex({{"", tfw::BundleHeader(1)}, {"w", tfw::BundleEntry(tfw::kDtFloat, {4}, 0, 8, 16, 0)}});
  ExpectCorrupt("past the end of");
}

TEST_F(TfCheckpointHostileTest, ShardIdPastNumShards) {
  WriteIndex({{"", tfw::BundleHeader(1)}, {"w", tfw::BundleEntry(tfw::kDtFloat, {4}, 1, 0, 16, 0)}});
  ExpectCorrupt("shard 1 of a bundle with 1 shards");
}

TEST_F(TfCheckpointHostileTest, ShapeWhoseElementCountOverflows) {
  WriteIndex({{"", tfw::BundleHeader(1)},
              {"w", tfw::BundleEntry(tfw::kDtFloat, {int64_t{1} << 40, int64_t{1} << 40}, 0, 0, 16, 0)}});
  ExpectCorrupt("2^63");
}

TEST_F(TfCheckpointHostileTest, SizeClaimingTwoToTheSixty) {
  WriteIndex({{"", tfw::BundleHeader(1)},
              {"w", tfw::BundleEntry(tfw::kDtFloat, {int64_t{1} << 58}, 0, 0, uint64_t{1} << 60, 0)}});
  ExpectCorrupt("past the end of");
}

TEST_F(TfCheckpointHostileTest, SizeThatDoesNotHoldTheShape) {
  WriteIndex({{"", tfw::BundleHeader(1)}, {"w", tfw::BundleEntry(tfw::kDtFloat, {5}, 0, 0, 16, 0)}});
  ExpectCorrupt("do not hold");
}

TEST_F(TfCheckpointHostileTest, HeaderMissingOrClaimingTooManyShards) {
  WriteIndex({{"w", tfw::BundleEntry(tfw::kDtFloat, {4}, 0, 0, 16, 0)}});
  ExpectCorrupt("no bundle header");
  WriteIndex({{"", tfw::BundleHeader(1 << 30)}});
  ExpectCorrupt("data shards");
}

TEST_F(TfCheckpointHostileTest, TruncatedAndFlippedIndex) {
  WriteIndex({{"", tfw::BundleHeader(1)}, {"w", tfw::BundleEntry(tfw::kDtFloat, {4}, 0, 0, 16, 0)}});
  const std::string good = ReadFile(prefix_ + ".index");
  for (size_t cut : {size_t{0}, size_t{10}, good.size() / 2, good.size() - 1}) {
    WriteFile(prefix_ + ".index", good.substr(0, cut));
    ExpectCorrupt("");
  }
  // A flipped byte inside a block fails its CRC32C (verify_checksums).
  std::string flipped = good;
  flipped[3] ^= 0x20;
  WriteFile(prefix_ + ".index", flipped);
  ExpectCorrupt("");
  // A footer whose index handle claims 2^60 bytes is refused before leveldb allocates for it.
  std::string footer = good;
  const size_t at = footer.size() - 48;
  std::string handles = trail::testing::proto::Varint(0) + trail::testing::proto::Varint(10) +
                        trail::testing::proto::Varint(0) + trail::testing::proto::Varint(uint64_t{1} << 60);
  footer.replace(at, handles.size(), handles);
  WriteFile(prefix_ + ".index", footer);
  ExpectCorrupt("index block");
}

TEST_F(TfCheckpointHostileTest, MissingShardAndMissingCheckpoint) {
  ASSERT_TRUE(tfw::WriteTable(prefix_ + ".index",
                              {{"", tfw::BundleHeader(2)}, {"w", tfw::BundleEntry(tfw::kDtFloat, {4}, 1, 0, 16, 0)}}));
  const Status s = Open();
  EXPECT_EQ(s.code(), Code::kNotFound) << s.message();
  EXPECT_NE(s.message().find("data-00001-of-00002"), std::string::npos) << s.message();
  EXPECT_EQ(OpenModel(dir_.path() + "/nothing.ckpt").status().code(), Code::kNotFound);
}

// A V1 checkpoint as tf.train.Saver(write_version=V1) writes it: values in repeated fields.
TEST(TfCheckpointV1Test, ReadsSavedTensorSlicesWithValues) {
  using namespace trail::testing::proto;
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/model.ckpt-100";
  const std::vector<float> w = {1.5f, -2, 0.25f, 8, 9, -10};
  std::map<std::string, std::string> table;
  table[""] = tfw::V1MetaEntry({{"w", tfw::kDtFloat, {2, 3}, tfw::Slice()},
                                {"global_step", tfw::kDtInt64, {}, tfw::Slice()},
                                {"h", tfw::kDtHalf, {2}, tfw::Slice()},
                                {"c", tfw::kDtInt32, {3}, tfw::Slice()},
                                {"raw", tfw::kDtDouble, {2}, tfw::Slice()},
                                {"w/Adam", tfw::kDtFloat, {2, 3}, tfw::Slice()},
                                {"emb", tfw::kDtFloat, {4}, tfw::Slice({{0, 2}})}});
  table[tfw::V1Key("w")] = tfw::V1DataEntry("w", tfw::Slice(), VarintField(1, tfw::kDtFloat) + PackedFloats(5, w));
  table[tfw::V1Key("w/Adam")] =
      tfw::V1DataEntry("w/Adam", tfw::Slice(), VarintField(1, tfw::kDtFloat) + PackedFloats(5, w));
  table[tfw::V1Key("global_step")] =
      tfw::V1DataEntry("global_step", tfw::Slice(), VarintField(1, tfw::kDtInt64) + PackedVarints(10, {100}));
  table[tfw::V1Key("h")] =
      tfw::V1DataEntry("h", tfw::Slice(), VarintField(1, tfw::kDtHalf) + PackedVarints(13, {0x3c00, 0xc000}));
  table[tfw::V1Key("c")] = tfw::V1DataEntry("c", tfw::Slice(),
                                            VarintField(1, tfw::kDtInt32) + VarintField(7, 7) +
                                                VarintField(7, static_cast<uint64_t>(int64_t{-1})) + VarintField(7, 2));
  table[tfw::V1Key("raw")] = tfw::V1DataEntry(
      "raw", tfw::Slice(), VarintField(1, tfw::kDtDouble) + BytesField(4, CkptBytes<double>({0.5, -3})));
  ASSERT_TRUE(tfw::WriteTable(path, table));
  EXPECT_EQ(DetectModelFormat(path), "tf-checkpoint-v1");
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.format, "tf-checkpoint-v1");
  ASSERT_EQ(info.tensors.size(), 7u);
  const std::map<std::string, std::string> want = {{"w", CkptBytes<float>(w)},
                                                   {"w/Adam", CkptBytes<float>(w)},
                                                   {"global_step", CkptBytes<int64_t>({100})},
                                                   {"h", CkptBytes<uint16_t>({0x3c00, 0xc000})},
                                                   {"c", CkptBytes<int32_t>({7, -1, 2})},
                                                   {"raw", CkptBytes<double>({0.5, -3})}};
  ASSERT_TRUE(ComputeChecksums(**model).ok());
  for (size_t i = 0; i < info.tensors.size(); ++i) {
    const TensorInfo& t = info.tensors[i];
    if (t.name == "emb") {
      EXPECT_EQ(t.dtype_name, "float32 (partitioned)");
      continue;
    }
    Status s;
    EXPECT_EQ(ReadAll(**model, i, &s), want.at(t.name)) << t.name;
    EXPECT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(t.checksum, Checksum(want.at(t.name))) << t.name;
  }
  EXPECT_EQ(info.parameters, 6u + 2 + 3 + 2 + 4);  // not w/Adam nor global_step
  ASSERT_EQ(info.functions.size(), 1u);
  EXPECT_EQ(info.functions[0].spelling, "Adam");
}

TEST(TfCheckpointV1Test, ValuesThatDoNotFillTheShapeAreCorrupt) {
  using namespace trail::testing::proto;
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/model.ckpt";
  ASSERT_TRUE(tfw::WriteTable(
      path, {{"", tfw::V1MetaEntry({{"w", tfw::kDtFloat, {4}, tfw::Slice()}})},
             {tfw::V1Key("w"), tfw::V1DataEntry("w", tfw::Slice(), VarintField(1, 1) + PackedFloats(5, {1, 2}))}}));
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  Status s;
  ReadAll(**model, 0, &s);
  EXPECT_EQ(s.code(), Code::kCorrupt);
  EXPECT_NE(s.message().find("tensor w"), std::string::npos) << s.message();
  // Not a V1 checkpoint at all: a table without the meta entry.
  ASSERT_TRUE(tfw::WriteTable(path, {{"a", "b"}}));
  EXPECT_EQ(OpenModel(path).status().code(), Code::kCorrupt);
  ASSERT_TRUE(
      tfw::WriteTable(path, {{"", tfw::V1MetaEntry({{"w", tfw::kDtFloat, {int64_t{1} << 62, 8}, tfw::Slice()}})}}));
  EXPECT_EQ(OpenModel(path).status().code(), Code::kCorrupt);
}

TEST(TfCheckpointTest, SymlinkedFilesAreRefusedWhenAsked) {
  trail::testing::TempDir dir;
  ASSERT_TRUE(tfw::WriteBundle(dir.path() + "/real", {{"w", tfw::kDtFloat, {1}, CkptBytes<float>({1})}}));
  ASSERT_EQ(::symlink((dir.path() + "/real.index").c_str(), (dir.path() + "/link.index").c_str()), 0);
  ASSERT_EQ(
      ::symlink((dir.path() + "/real.data-00000-of-00001").c_str(), (dir.path() + "/link.data-00000-of-00001").c_str()),
      0);
  EXPECT_TRUE(OpenModel(dir.path() + "/link").ok());  // a path the user named may be a link
}

}  // namespace
}  // namespace trail::model
