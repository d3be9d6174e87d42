#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <vector>

#include "base/sha256.h"
#include "base/test_temp_dir.h"
#include "model/model_file.h"
#include "model/values.h"

namespace trail::model {
namespace {

// Writes a safetensors file by the published layout: u64 header length, JSON, data.
std::string Safetensors(const std::string& header, const std::string& data) {
  std::string out;
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  return out + header + data;
}

std::string Floats(const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

void Write(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

TEST(SafetensorsTest, ListsTensorsInFileOrderWithValues) {
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/m.safetensors";
  const std::string w = Floats({1, 2, 3, 4, 5, 6});
  const std::string b = Floats({-1.5f, 0.25f});
  Write(path, Safetensors(
                  R"({"__metadata__":{"format":"pt"},"fc.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]},)"
                  R"("fc.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                  b + w));
  EXPECT_EQ(DetectModelFormat(path), "safetensors");
  auto model = OpenModel(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.format, "safetensors");
  EXPECT_EQ(info.framework, "pytorch");
  ASSERT_EQ(info.tensors.size(), 2u);
  EXPECT_EQ(info.tensors[0].name, "fc.bias");  // its bytes come first
  EXPECT_EQ(info.tensors[1].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(info.parameters, 8u);
  ASSERT_TRUE(ComputeChecksums(**model).ok());
  const Sha256Digest d = Sha256Of(w);
  EXPECT_EQ(info.tensors[1].checksum, HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), 16)));
  std::vector<double> values;
  ASSERT_TRUE(ForEachChunk(**model, 1, [&](std::string_view raw) {
                std::vector<double> chunk(raw.size() / 4);
                ToDoubles(DType::kFloat32, raw.data(), chunk.size(), chunk.data());
                values.insert(values.end(), chunk.begin(), chunk.end());
                return Status::Ok();
              }).ok());
  EXPECT_EQ(values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST(SafetensorsTest, HostileHeadersAreCorruptNotCrashes) {
  trail::testing::TempDir dir;
  const std::string path = dir.path() + "/bad.safetensors";
  // A header length of 2^60: refused before any allocation.
  std::string huge(8, '\0');
  huge[7] = 0x10;
  Write(path, huge + "{}");
  EXPECT_EQ(OpenModel(path).status().code(), Code::kCorrupt);
  // Offsets past the data, and a shape the bytes do not hold.
  Write(path, Safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,1000]}})", Floats({1, 2, 3, 4})));
  auto past = OpenModel(path);
  EXPECT_EQ(past.status().code(), Code::kCorrupt);
  EXPECT_NE(past.status().message().find("tensor a"), std::string::npos) << past.status().message();
  Write(path, Safetensors(R"({"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,16]}})",
                          Floats({1, 2, 3, 4})));
  EXPECT_EQ(OpenModel(path).status().code(), Code::kCorrupt);
}

TEST(OpenModelTest, UnknownAndMissingFiles) {
  trail::testing::TempDir dir;
  EXPECT_EQ(OpenModel(dir.path() + "/nothing.pt").status().code(), Code::kNotFound);
  Write(dir.path() + "/notes.txt", "hello, not a model");
  auto unknown = OpenModel(dir.path() + "/notes.txt");
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("not a model file"), std::string::npos);
}

}  // namespace
}  // namespace trail::model
