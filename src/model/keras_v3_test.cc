#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "model/keras_test_files.h"
#include "model/model_file.h"

namespace trail::model {
namespace {

using testing::ExpectManifestTensors;
using testing::KerasFile;

// This process's extracted weights files: ctest runs other tests (which extract too) beside it.
size_t ExtractedFiles() {
  const std::string mine = "trail-keras-" + std::to_string(::getpid()) + "-";
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path())) {
    if (e.path().filename().string().starts_with(mine)) ++n;
  }
  return n;
}

TEST(KerasV3Test, StoredAndDeflatedZipsWithConfigMetadataAndWeights) {
  for (const char* name : {"model.keras", "deflated.keras"}) {
    SCOPED_TRACE(name);
    const std::string path = KerasFile(name);
    EXPECT_EQ(DetectModelFormat(path), "keras-v3");
    const size_t before = ExtractedFiles();
    {
      auto model = OpenModel(path);
      ASSERT_TRUE(model.ok()) << model.status().message();
      ExpectManifestTensors(**model, name);
      const ModelInfo& info = (*model)->info();
      EXPECT_EQ(info.framework, "keras");
      EXPECT_EQ(info.framework_version, "3.3.3");
      EXPECT_EQ(info.parameters, 5u * 4 + 4 + 4 * 2 + 2);
      ASSERT_EQ(info.layers.size(), 3u);
      EXPECT_EQ(info.layers[0].type, "InputLayer");
      EXPECT_EQ(info.layers[1].name, "hidden");  // its weights are under layers/dense
      EXPECT_EQ(info.layers[1].parameters, 24u);
      EXPECT_EQ(info.layers[2].parameters, 10u);
      EXPECT_EQ(info.op_counts.at("Dense"), 2u);
      ASSERT_EQ(info.inputs.size(), 1u);
      EXPECT_EQ(info.inputs[0].name, "input_layer");
      EXPECT_EQ(info.inputs[0].shape, (std::vector<int64_t>{-1, 5}));
      ASSERT_EQ(info.outputs.size(), 1u);
      EXPECT_EQ(info.outputs[0].name, "probs");
      EXPECT_EQ(info.outputs[0].shape, (std::vector<int64_t>{-1, 2}));
      EXPECT_EQ(info.outputs[0].dtype, "float32");
      ASSERT_EQ(info.functions.size(), 4u);
      EXPECT_EQ(info.functions[0].spelling, "gelu");
      EXPECT_EQ(info.functions[0].where, "layer hidden");
      EXPECT_EQ(info.functions[1].spelling, "softmax");
      EXPECT_EQ(info.functions[2].kind, "loss");
      EXPECT_EQ(info.functions[2].spelling, "sparse_categorical_crossentropy");
      EXPECT_EQ(info.functions[3].kind, "optimizer");
      EXPECT_EQ(info.functions[3].spelling, "RMSprop");
      EXPECT_EQ(ExtractedFiles(), before + 1);
    }
    EXPECT_EQ(ExtractedFiles(), before);  // the extracted weights go with the ModelFile
  }
}

TEST(KerasV3Test, BombsAndTruncationAreCorruptAndLeaveNoTempFile) {
  const size_t before = ExtractedFiles();
  for (const char* name :
       {"hostile/config_bomb.keras", "hostile/weights_bomb.keras", "hostile/truncated_model.keras"}) {
    SCOPED_TRACE(name);
    const std::string path = KerasFile(name);
    auto model = OpenModel(path);
    if (model.ok()) continue;  // a cut zip may no longer look like a .keras; OpenModel then says so
    EXPECT_TRUE(model.status().code() == Code::kCorrupt || model.status().code() == Code::kInvalidArgument)
        << model.status().message();
    EXPECT_NE(model.status().message().find(path), std::string::npos) << model.status().message();
  }
  EXPECT_FALSE(OpenModel(KerasFile("hostile/config_bomb.keras")).ok());
  EXPECT_FALSE(OpenModel(KerasFile("hostile/weights_bomb.keras")).ok());
  EXPECT_EQ(ExtractedFiles(), before);
}

TEST(KerasV3Test, WeightsInflatingPastTheirDeclaredSizeAreCalledAZipBomb) {
  // libzip stops at the declared size without complaint: the extraction checks for more.
  const size_t before = ExtractedFiles();
  const std::string path = KerasFile("hostile/weights_past_size.keras");
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kCorrupt);
  EXPECT_EQ(model.status().message(), path + ": model.weights.h5 inflates past its declared size (a zip bomb?)");
  EXPECT_EQ(ExtractedFiles(), before);
}

}  // namespace
}  // namespace trail::model
