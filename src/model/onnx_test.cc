#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/test_temp_dir.h"
#include "model/model_file.h"
#include "model/torch_test_files.h"
#include "model/values.h"

namespace trail::model {
namespace {

using testing::ExpectTensorsAsWritten;
using testing::GeneratedTorchFiles;
using testing::TorchFile;

class OnnxTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(GeneratedTorchFiles(), nullptr) << "tests/models/make_torch.py failed"; }
};

TEST_F(OnnxTest, ExportedModelGraphAndInitializers) {
  ExpectTensorsAsWritten(TorchFile("mlp.onnx"), "mlp.onnx");
  auto model = OpenModel(TorchFile("mlp.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  const Json& meta = GeneratedTorchFiles()->expected["mlp.onnx.meta"];
  EXPECT_EQ(info.format, "onnx");
  EXPECT_EQ(info.framework, "onnx");
  EXPECT_EQ(info.producer, meta["producer"].get<std::string>());
  EXPECT_EQ(info.producer.rfind("pytorch 1.13", 0), 0u) << info.producer;
  std::map<std::string, uint64_t> ops;
  for (const auto& [op, count] : meta["ops"].items()) ops[op] = count.get<uint64_t>();
  EXPECT_EQ(info.op_counts, ops);
  EXPECT_EQ(info.parameters, 4u * 3 + 3 + 3 * 2 + 2);
  ASSERT_EQ(info.inputs.size(), 1u);
  EXPECT_EQ(info.inputs[0].name, "x");
  EXPECT_EQ(info.inputs[0].dtype, "float32");
  EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{-1, 4}));
  ASSERT_EQ(info.outputs.size(), 1u);
  EXPECT_EQ(info.outputs[0].name, "probs");
  EXPECT_EQ(info.outputs[0].shape, (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(info.architecture["opset_import"]["ai.onnx"], 13);
  std::vector<std::string> functions;
  for (const FoundFunction& f : info.functions) functions.push_back(f.kind + ":" + f.spelling);
  EXPECT_EQ(functions, (std::vector<std::string>{"activation:Relu", "activation:Softmax"}));
}

std::map<std::string, uint64_t> ExpectedOps(const std::string& key) {
  std::map<std::string, uint64_t> ops;
  for (const auto& [op, count] : GeneratedTorchFiles()->expected[key]["ops"].items()) ops[op] = count.get<uint64_t>();
  return ops;
}

TEST_F(OnnxTest, ExportedIfAndLoopBodiesAreCounted) {
  ExpectTensorsAsWritten(TorchFile("branchy.onnx"), "branchy.onnx");
  auto model = OpenModel(TorchFile("branchy.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.op_counts, ExpectedOps("branchy.onnx.meta"));
  EXPECT_EQ(info.op_counts.at("Relu"), 1u);  // inside the If's then_branch
  EXPECT_EQ(info.op_counts.at("Tanh"), 1u);  // inside the Loop's body
  std::vector<std::string> functions;
  for (const FoundFunction& f : info.functions) functions.push_back(f.spelling);
  EXPECT_EQ(functions, (std::vector<std::string>{"Relu", "Sigmoid", "Softmax", "Tanh"}));
}

TEST_F(OnnxTest, SubgraphInitializersAreListedAndNamedApartOnlyWhenNamesCollide) {
  ExpectTensorsAsWritten(TorchFile("subgraphs.onnx"), "subgraphs.onnx");
  auto model = OpenModel(TorchFile("subgraphs.onnx"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.op_counts, ExpectedOps("subgraphs.onnx.meta"));
  EXPECT_EQ(info.parameters, 2u + 2 + 2 + 1);
  ASSERT_EQ(info.inputs.size(), 2u);  // the main graph's only
  ASSERT_EQ(info.outputs.size(), 1u);
}

TEST_F(OnnxTest, SubgraphsNestedTooDeepAreCorrupt) {
  const std::string path = TorchFile("deep.onnx");
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kCorrupt);
  EXPECT_EQ(model.status().message(), path + ": subgraphs nest more than 16 deep");
}

TEST_F(OnnxTest, ExternalDataBesideTheModel) {
  ExpectTensorsAsWritten(TorchFile("external/mlp.onnx"), "external/mlp.onnx");
}

TEST_F(OnnxTest, TypedFieldsAndLossOps) {
  ExpectTensorsAsWritten(TorchFile("typed.onnx"), "typed.onnx");
  auto model = OpenModel(TorchFile("typed.onnx"));
  ASSERT_TRUE(model.ok());
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.producer, "trail-test 1");
  ASSERT_EQ(info.inputs.size(), 2u);
  EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(info.inputs[1].dtype, "int64");
  ASSERT_EQ(info.outputs.size(), 1u);
  EXPECT_TRUE(info.outputs[0].shape_known);
  EXPECT_TRUE(info.outputs[0].shape.empty());
  ASSERT_EQ(info.functions.size(), 2u);
  EXPECT_EQ(info.functions[1].kind, "loss");
  EXPECT_EQ(info.functions[1].spelling, "SoftmaxCrossEntropyLoss");
  EXPECT_EQ(info.functions[1].where, "op SoftmaxCrossEntropyLoss (1 node)");
}

TEST_F(OnnxTest, ExternalDataOutsideTheFolderIsRefused) {
  const std::string path = TorchFile("evil/model.onnx");
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(model.status().message(),
            path + ": initializer w: external data location '../../etc/passwd' leaves the model's folder");
}

TEST_F(OnnxTest, ExternalDataThroughASymlinkIsRefused) {
  trail::testing::TempDir dir;
  std::filesystem::copy_file(TorchFile("external/mlp.onnx"), dir.File("mlp.onnx"));
  ASSERT_EQ(::symlink(TorchFile("external/weights.bin").c_str(), dir.File("weights.bin").c_str()), 0);
  auto model = OpenModel(dir.File("mlp.onnx"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kInvalidArgument);
  EXPECT_NE(model.status().message().find("symbolic link"), std::string::npos) << model.status().message();
}

TEST_F(OnnxTest, TruncatedAndHostileLengthsAreCorrupt) {
  const std::string cut = TorchFile("truncated.onnx");
  auto model = OpenModel(cut);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kCorrupt) << model.status().message();
  EXPECT_EQ(model.status().message().rfind(cut + ":", 0), 0u);

  trail::testing::TempDir dir;
  // graph (field 7) claiming 2^32 - 1 bytes in a 6-byte file.
  const std::string past = dir.Write("past.onnx", std::string("\x3a\xff\xff\xff\xff\x0f", 6));
  auto p = OpenModel(past);
  EXPECT_EQ(p.status().code(), Code::kCorrupt);
  EXPECT_NE(p.status().message().find("past the end"), std::string::npos) << p.status().message();
  // An initializer whose raw_data does not hold its dims: dims [1000000], FLOAT, 4 bytes.
  const std::string tensor = std::string("\x08\xc0\x84\x3d\x10\x01\x42\x01w\x4a\x04", 11) + std::string(4, '\0');
  const std::string graph = "\x2a" + std::string(1, static_cast<char>(tensor.size())) + tensor;
  const std::string bad = dir.Write("bad.onnx", "\x3a" + std::string(1, static_cast<char>(graph.size())) + graph);
  auto b = OpenModel(bad);
  EXPECT_EQ(b.status().code(), Code::kCorrupt);
  EXPECT_NE(b.status().message().find("initializer w: 4 bytes of data do not hold"), std::string::npos)
      << b.status().message();
}

}  // namespace
}  // namespace trail::model
