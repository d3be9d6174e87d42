#include <gtest/gtest.h>
#include <sys/stat.h>

#include "model/model_file.h"
#include "model/pytorch_detect.h"
#include "model/readers.h"
#include "model/torch_test_files.h"
#include "model/torchscript_code.h"
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

TEST_F(PytorchTest, LegacyFormatIsReadUnderAnyName) {
  ExpectTensorsAsWritten(TorchFile("legacy.pt"), "legacy.pt");  // views share their base's storage
  ExpectTensorsAsWritten(TorchFile("legacy_model.pt"), "legacy_model.pt");
  ExpectTensorsAsWritten(TorchFile("legacy.weights"), "legacy.weights");  // protocol 4: a FRAME before the magic
  EXPECT_EQ(DetectModelFormat(TorchFile("legacy.weights")), "pytorch");
  auto model = OpenModel(TorchFile("legacy.pt"));
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->info().format, "pytorch");
  EXPECT_EQ((*model)->info().notes.at(0), "legacy torch.save format (PyTorch before 1.6)");
  EXPECT_FALSE(IsLegacyTorchSave(std::string("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50", 13)));
  EXPECT_FALSE(IsLegacyTorchSave(std::string("\x80\x02}q\x00.", 6)));
}

TEST_F(PytorchTest, LegacyFilesCutShortHostileOrWithoutTheMagicAreRefused) {
  const std::string cut = TorchFile("legacy_cut.pt");
  auto model = OpenModel(cut);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kCorrupt);
  EXPECT_EQ(model.status().message().rfind(cut + ": truncated: storage ", 0), 0u) << model.status().message();
  const std::string evil = TorchFile("evil_legacy.pt");
  model = OpenModel(evil);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(model.status().message().rfind(evil + ": refused: the pickle calls os.system", 0), 0u);
  struct stat st {};
  EXPECT_NE(::stat(GeneratedTorchFiles()->marker.c_str(), &st), 0) << "a hostile pickle ran";
  const std::string plain = TorchFile("plain_pickle.pt");
  EXPECT_EQ(DetectModelFormat(plain), "pytorch");
  model = OpenModel(plain);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(model.status().message(),
            plain +
                ": not a torch.save file (neither a zip nor a stream that begins with the legacy format's magic "
                "number)");
}

TEST_F(PytorchTest, ZipsCutShortSayTheCentralDirectoryIsMissing) {
  for (const char* file : {"truncated.pt", "cut60.pt", "scripted_cut.pt"}) {
    const std::string path = TorchFile(file);
    EXPECT_EQ(DetectModelFormat(path), "pytorch") << file;
    auto model = OpenModel(path);
    ASSERT_FALSE(model.ok()) << file;
    EXPECT_EQ(model.status().code(), Code::kCorrupt);
    EXPECT_EQ(model.status().message(), path + ": truncated or damaged PyTorch zip (no central directory)");
  }
}

TEST_F(PytorchTest, TorchScriptArchiveListsItsStateDict) {
  ExpectTensorsAsWritten(TorchFile("scripted.pt"), "scripted.pt");  // no `steps`: a plain attribute
  auto model = OpenModel(TorchFile("scripted.pt"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  const ModelInfo& info = (*model)->info();
  EXPECT_EQ(DetectModelFormat(TorchFile("scripted.pt")), "torchscript");
  EXPECT_EQ(info.format, "torchscript");
  EXPECT_EQ(info.framework, "pytorch");
  EXPECT_EQ(info.op_counts,
            (std::map<std::string, uint64_t>{
                {"Dropout", 1}, {"Linear", 2}, {"ModuleList", 1}, {"Scripted", 1}, {"Sequential", 1}, {"Tanh", 1}}));
  std::vector<std::string> functions;
  for (const FoundFunction& f : info.functions) functions.push_back(f.kind + ":" + f.spelling + " @ " + f.where);
  EXPECT_EQ(functions,
            (std::vector<std::string>{"activation:Tanh @ module layers.1 (__torch__.torch.nn.modules.activation.Tanh)",
                                      "regularization:Dropout @ code: torch.dropout (1 call site)",
                                      "activation:GELU @ code: torch.gelu (1 call site)",
                                      "activation:LogSoftmax @ code: torch.log_softmax (1 call site)",
                                      "activation:ReLU @ code: torch.relu (1 call site)"}));
  bool noted = false;
  for (const std::string& n : info.notes) noted |= n.starts_with("TorchScript classes were read from code/ as text");
  EXPECT_TRUE(noted);
}

TEST_F(PytorchTest, TracedTorchScriptArchive) {
  ExpectTensorsAsWritten(TorchFile("traced.pt"), "traced.pt");
  auto model = OpenModel(TorchFile("traced.pt"));
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->info().format, "torchscript");
  EXPECT_EQ((*model)->info().op_counts.at("Linear"), 1u);  // "___torch_mangle_0.Linear" counts as Linear
  EXPECT_EQ((*model)->info().op_counts.at("BatchNorm1d"), 1u);
}

TEST_F(PytorchTest, TorchScriptCodeIsNeverRun) {
  ExpectTensorsAsWritten(TorchFile("evil_script.pt"), "evil_script.pt");
  struct stat st {};
  EXPECT_NE(::stat(GeneratedTorchFiles()->marker.c_str(), &st), 0) << "code from a TorchScript archive ran";
}

TEST(TorchScriptCodeTest, ClassesStateAndCalls) {
  TorchScriptCode code;
  ScanTorchScriptSource("__torch__.a", R"(class Block(Module):
  __parameters__ = ["weight", "_b", ]
  __buffers__ = []
  weight : Tensor
  def forward(self: __torch__.a.Block, x: Tensor) -> Tensor:
    y = torch.relu(torch.nn.functional.relu(x))
    z = self.torch.sigmoid(y)
    return torch.relu(y)

class Other(Module):
  __parameters__ = []
  __buffers__ = ["running", ]
def helper(x: Tensor) -> Tensor:
  __parameters__ = ["not_a_class"]
  return torch.softmax(x, 1)
)",
                        &code);
  ASSERT_EQ(code.classes.size(), 2u);
  EXPECT_EQ(code.classes["__torch__.a.Block"].parameters, (std::set<std::string>{"weight", "_b"}));
  EXPECT_TRUE(code.classes["__torch__.a.Block"].buffers.empty());
  EXPECT_EQ(code.classes["__torch__.a.Other"].buffers, (std::set<std::string>{"running"}));
  EXPECT_TRUE(code.classes["__torch__.a.Other"].parameters.empty());
  EXPECT_EQ(code.calls, (std::map<std::string, uint64_t>{
                            {"torch.nn.functional.relu", 1}, {"torch.relu", 2}, {"torch.softmax", 1}}));
  ModelInfo info;
  ApplyTorchScriptCalls(code, info);
  ASSERT_EQ(info.functions.size(), 2u);
  EXPECT_EQ(info.functions[0].spelling, "ReLU");
  EXPECT_EQ(info.functions[0].where, "code: torch.nn.functional.relu (1 call site)");
  EXPECT_EQ(info.functions[1].spelling, "Softmax");
}

TEST_F(PytorchTest, MalformedFilesAreCorruptNamingTheFile) {
  for (const char* file : {"huge_memo.pt", "huge_string.pt", "short_storage.pt", "truncated.pt"}) {
    const std::string path = TorchFile(file);
    auto model = OpenPytorch(path);
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
