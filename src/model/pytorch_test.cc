#include <gtest/gtest.h>
#include <sys/stat.h>

#include "model/model_file.h"
#include "model/readers.h"
#include "model/torch_test_files.h"
#include "model/values.h"

namespace trail::model {
namespace {

using testing::ExpectTensorsAsWritten;
using testing::GeneratedTorchFiles;
using testing::TorchFile;

class PytorchTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NE(GeneratedTorchFiles(), nullptr) << "tests/models/make_torch.py failed"; }
};

TEST_F(PytorchTest, StateDictTensorsAndValues) {
  ExpectTensorsAsWritten(TorchFile("state_dict.pt"), "state_dict.pt");
  auto model = OpenModel(TorchFile("state_dict.pt"));
  ASSERT_TRUE(model.ok());
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.format, "pytorch");
  EXPECT_EQ(info.framework, "pytorch");
  EXPECT_EQ(info.framework_version, "");
  EXPECT_EQ(info.parameters, 6u + 2 + 2 + 2 + 2 + 2);  // num_batches_tracked is not a parameter
  ASSERT_FALSE(info.notes.empty());
  EXPECT_EQ(info.notes[0], "torch.save archive version 3");
}

TEST_F(PytorchTest, WholeModelIsSearchedWithoutLoadingClasses) {
  ExpectTensorsAsWritten(TorchFile("model.pt"), "model.pt");
  auto model = OpenModel(TorchFile("model.pt"));
  ASSERT_TRUE(model.ok());
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(info.op_counts.at("Linear"), 1u);
  EXPECT_EQ(info.op_counts.at("BatchNorm1d"), 1u);
  EXPECT_EQ(info.op_counts.at("ReLU"), 1u);
  EXPECT_EQ(info.op_counts.at("Net"), 1u);
  ASSERT_EQ(info.functions.size(), 1u);
  EXPECT_EQ(info.functions[0].kind, "activation");
  EXPECT_EQ(info.functions[0].spelling, "ReLU");
  bool noted = false;
  for (const std::string& n : info.notes)
    noted |= n.find("classes were not loaded") != std::string::npos && n.find("__main__.Net") != std::string::npos;
  EXPECT_TRUE(noted);
}

TEST_F(PytorchTest, TiedWeightsCountOnceAndModuleCachesAreSkipped) {
  ExpectTensorsAsWritten(TorchFile("tied.pt"), "tied.pt");
  ExpectTensorsAsWritten(TorchFile("lstm.pt"), "lstm.pt");
}

TEST_F(PytorchTest, CheckpointWithOptimizerState) {
  ExpectTensorsAsWritten(TorchFile("checkpoint.pt"), "checkpoint.pt");
}

TEST_F(PytorchTest, DtypesScalarsAndIntegers) { ExpectTensorsAsWritten(TorchFile("dtypes.pt"), "dtypes.pt"); }

TEST_F(PytorchTest, ViewsWithOffsetsAndStrides) { ExpectTensorsAsWritten(TorchFile("views.pt"), "views.pt"); }

TEST_F(PytorchTest, HostilePicklesAreRefusedAndNothingRuns) {
  const std::string marker = GeneratedTorchFiles()->marker;
  struct Case {
    const char* file;
    const char* says;
  } cases[] = {
      {"evil_system.pt", "refused: the pickle calls os.system (trail never runs code from a model file)"},
      {"evil_eval.pt", "refused: the pickle calls builtins.eval"},
      {"evil_popen.pt", "refused: the pickle creates subprocess.Popen"},
  };
  for (const Case& c : cases) {
    const std::string path = TorchFile(c.file);
    auto model = OpenModel(path);
    ASSERT_FALSE(model.ok()) << c.file;
    EXPECT_EQ(model.status().code(), Code::kInvalidArgument) << c.file;
    EXPECT_EQ(model.status().message().rfind(path + ": " + c.says, 0), 0u) << model.status().message();
  }
  struct stat st {};
  EXPECT_NE(::stat(marker.c_str(), &st), 0) << "a hostile pickle ran";
}

TEST_F(PytorchTest, BigEndianArchivesAreSwapped) {
  ExpectTensorsAsWritten(TorchFile("big_endian.pt"), "big_endian.pt");
}

TEST_F(PytorchTest, LegacyFormatIsRefusedWithAWayOut) {
  const std::string path = TorchFile("legacy.pt");
  EXPECT_EQ(DetectModelFormat(path), "pytorch");
  auto model = OpenModel(path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(model.status().message(), path +
                                          ": a legacy torch.save file (PyTorch before 1.6, not a zip); trail reads the "
                                          "zip format (load and save it again with PyTorch 1.6 or later)");
}

TEST_F(PytorchTest, MalformedFilesAreCorruptNamingTheFile) {
  for (const char* file : {"huge_memo.pt", "huge_string.pt", "short_storage.pt", "truncated.pt"}) {
    const std::string path = TorchFile(file);
    auto model = OpenPytorch(path);  // OpenModel does not recognise a zip cut short as PyTorch
    ASSERT_FALSE(model.ok()) << file;
    EXPECT_EQ(model.status().code(), Code::kCorrupt) << file << ": " << model.status().message();
    EXPECT_EQ(model.status().message().rfind(path + ":", 0), 0u) << model.status().message();
  }
  auto memo = OpenModel(TorchFile("huge_memo.pt"));
  EXPECT_NE(memo.status().message().find("memo index 2147483647 was never set"), std::string::npos);
  auto shortage = OpenModel(TorchFile("short_storage.pt"));
  EXPECT_NE(shortage.status().message().find("tensor fc.weight needs 24 bytes of storage"), std::string::npos)
      << shortage.status().message();
  auto cut = OpenModel(TorchFile("truncated.pt"));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().message().rfind(TorchFile("truncated.pt") + ":", 0), 0u);
  // A huge memo index to PUT is a map key, not an allocation: the file opens, with no tensors.
  auto put = OpenModel(TorchFile("huge_put.pt"));
  ASSERT_TRUE(put.ok()) << put.status().message();
  EXPECT_TRUE((*put)->info().tensors.empty());
}

}  // namespace
}  // namespace trail::model
