// The corpus of realistic training programs under testdata/programs/: each
// folder is a project whose expected.yaml gives the exact command, the
// source files found, the imports, the Table 1 functions in the order
// first found and, for some, the packages against testdata/site-packages.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "base/files.h"
#include "base/yaml.h"
#include "context/function_scan.h"
#include "context/package_scan.h"
#include "context/program_sources.h"
#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::MakeFakePython;
using testing::TempRoot;
using testing::Testdata;

std::vector<std::string> ProgramNames() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(Testdata("programs"))) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Strings(const Json& list) {
  std::vector<std::string> out;
  for (const Json& s : list) out.push_back(s.get<std::string>());
  return out;
}

// "category: name" per finding.
std::vector<std::string> Pairs(const Json& functions) {
  std::vector<std::string> out;
  for (const Json& f : functions) {
    out.push_back(f["category"].get<std::string>() + ": " + f["name"].get<std::string>());
  }
  return out;
}

class ProgramCorpusTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = *RealPath(Testdata("programs/" + GetParam()));
    auto text = ReadFile(dir_ + "/expected.yaml");
    ASSERT_TRUE(text.ok());
    auto parsed = ParseYaml(*text, GetParam() + "/expected.yaml");
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    expected_ = *parsed;
    env_.env["PATH"] = MakeFakePython(root_);
  }

  ProgramSources Sources(std::vector<std::string>* warnings) {
    return FindProgramSources(Strings(expected_["argv"]), dir_, dir_, env_, warnings);
  }

  TempRoot root_;
  std::string dir_;
  Json expected_;
  ContextEnv env_;
};

TEST_P(ProgramCorpusTest, ExactFindings) {
  std::vector<std::string> warnings;
  ProgramSources sources = Sources(&warnings);
  EXPECT_EQ(warnings, std::vector<std::string>{});

  std::vector<std::string> files;
  for (const SourceFile& f : sources.files) files.push_back(f.display);
  EXPECT_EQ(files, Strings(expected_["files"]));
  EXPECT_EQ(sources.imports, Strings(expected_["imports"]));

  std::vector<std::string> want;
  for (const Json& pair : expected_["functions"]) {
    want.push_back(pair[0].get<std::string>() + ": " + pair[1].get<std::string>());
  }
  Json functions = ScanFunctions(sources);
  EXPECT_EQ(Pairs(functions), want) << functions.dump(2);

  if (expected_.contains("packages")) {
    PythonEnv python;
    python.site_packages = {Testdata("site-packages")};
    std::vector<std::string> package_warnings;  // the fixture's broken distributions warn
    EXPECT_EQ(ScanPackages(sources, python, &package_warnings), expected_["packages"]);
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, ProgramCorpusTest, ::testing::ValuesIn(ProgramNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(ProgramCorpusSizeTest, AtLeastFifteenPrograms) { EXPECT_GE(ProgramNames().size(), 15u); }

// ScanFunctions of `python3 train.py` in a corpus program.
Json ScanProgram(const std::string& name) {
  TempRoot root;
  ContextEnv env;
  env.env["PATH"] = MakeFakePython(root);
  std::string dir = *RealPath(Testdata("programs/" + name));
  std::vector<std::string> warnings;
  return ScanFunctions(FindProgramSources({"python3", "train.py"}, dir, dir, env, &warnings));
}

// The whole shape of the findings for one program: spellings and places.
TEST(ProgramCorpusShapeTest, KerasFunctionalFoundAndAt) {
  Json functions = ScanProgram("keras_functional");
  Json want = Json::array();
  auto add = [&](const char* category, const char* name, std::vector<std::string> found, std::vector<std::string> at) {
    want.push_back(Json{{"category", category}, {"name", name}, {"found", found}, {"at", at}});
  };
  add("regularization", "L2", {"regularizers.l2"}, {"train.py:8"});
  add("activation", "Leaky ReLU", {"LeakyReLU"}, {"train.py:9"});
  add("activation", "Tanh", {"Dense(..., 'tanh')"}, {"train.py:10"});
  add("regularization", "L1", {"kernel_regularizer='l1'"}, {"train.py:10"});
  add("activation", "Sigmoid (logistic)", {"Activation('sigmoid')"}, {"train.py:13"});
  add("optimizer", "Adam", {"MyAdam"}, {"train.py:15"});
  add("classification loss", "Cross entropy / negative log likelihood", {"tf.keras.losses.BinaryCrossentropy"},
      {"train.py:16"});
  EXPECT_EQ(functions, want) << functions.dump(2);
}

TEST(ProgramCorpusShapeTest, DefaultsAndRepeatsAreListed) {
  Json functions = ScanProgram("sklearn_sgd");
  ASSERT_EQ(functions.size(), 6u);
  EXPECT_EQ(functions[0]["found"], (Json{"linear_model.SGDClassifier", "SGDRegressor"}));
  EXPECT_EQ(functions[0]["at"], (Json{"train.py:10", "train.py:12", "train.py:14"}));
  EXPECT_EQ(functions[3]["found"], (Json{"linear_model.SGDClassifier default loss='hinge'"}));
  EXPECT_EQ(functions[4]["found"],
            (Json{"linear_model.SGDClassifier default penalty='l2'", "SGDRegressor default penalty='l2'"}));
}

}  // namespace
}  // namespace trail::context
