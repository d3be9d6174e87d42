#include "context/dist_info.h"

#include <gtest/gtest.h>

#include "context/python_command.h"
#include "context/python_env.h"
#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::CommandOutput;
using testing::TempRoot;
using testing::Testdata;

std::vector<std::string> Names(const std::vector<Distribution>& dists) {
  std::vector<std::string> names;
  for (const Distribution& d : dists) names.push_back(d.name + " " + d.version);
  return names;
}

TEST(DistInfoTest, FrameworksImportedAreThoseTheProgramImports) {
  Json installed = {{"tensorflow", "2.15.0"},
                    {"jax", "0.4.30"},
                    {"jaxlib", "0.4.30"},
                    {"scikit-learn", "1.4.2"},
                    {"numpy", "1.26.4"}};
  EXPECT_EQ(FrameworksImported(installed, {"jax", "os", "sklearn"}),
            (Json{{"jax", "0.4.30"}, {"jaxlib", "0.4.30"}, {"scikit-learn", "1.4.2"}}));
  EXPECT_EQ(FrameworksImported(installed, {"torch"}), Json::object()) << "imported but not installed: not reported";
  EXPECT_EQ(FrameworksImported(installed, {}), Json::object());
}

TEST(DistInfoTest, ScansFixtureSitePackages) {
  std::string site = Testdata("site-packages");
  std::vector<std::string> warnings;
  auto dists = ScanDistributions({site}, {}, &warnings);
  EXPECT_EQ(Names(dists),
            (std::vector<std::string>{"PyYAML 6.0", "numpy 1.26.4", "scikit-learn 1.4.2", "torch 2.3.1"}));
  EXPECT_EQ(dists[0].path, site + "/PyYAML-6.0.egg-info");
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "python package " + site +
                             "/broken_pkg-0.1.dist-info: cannot read METADATA: No such file or directory; skipped");
  EXPECT_EQ(warnings[1],
            "python package " + site + "/garbage-1.0.dist-info: METADATA has no Name or Version header; skipped");
}

TEST(DistInfoTest, OnlyOpensWantedEntries) {
  std::vector<std::string> warnings;
  auto dists = ScanDistributions({Testdata("site-packages")}, {"numpy", "pyyaml"}, &warnings);
  EXPECT_EQ(Names(dists), (std::vector<std::string>{"PyYAML 6.0", "numpy 1.26.4"}));
  EXPECT_TRUE(warnings.empty());  // the broken entries were never opened
}

TEST(DistInfoTest, EarlierFolderShadowsLater) {
  TempRoot root;
  root.Write("first/numpy-2.0.1.dist-info/METADATA", "Metadata-Version: 2.1\nName: numpy\nVersion: 2.0.1\n");
  root.Write("first/Torch-2.4.0.dist-info/METADATA", "Name: Torch\nVersion: 2.4.0\n");
  std::vector<std::string> warnings;
  auto dists = ScanDistributions({root / "first", Testdata("site-packages")}, {"numpy", "torch"}, &warnings);
  EXPECT_EQ(Names(dists), (std::vector<std::string>{"Torch 2.4.0", "numpy 2.0.1"}));
}

TEST(DistInfoTest, EggFolderAndEggInfoFolder) {
  TempRoot root;
  root.Write("site/foo_bar-0.3-py3.11.egg/EGG-INFO/PKG-INFO", "Metadata-Version: 1.1\nName: foo-bar\nVersion: 0.3\n");
  root.Write("site/foo_bar-0.3-py3.11.egg/EGG-INFO/top_level.txt", "foo_bar\n");
  root.Write("site/Baz-1.0.egg-info/PKG-INFO", "Name: Baz\nVersion: 1.0\n\nbody\n");
  root.Write("site/Baz-1.0.egg-info/top_level.txt", "baz\n_baz_speedups\n");
  std::vector<std::string> warnings;
  auto dists = ScanDistributions({root / "site"}, {}, &warnings);
  ASSERT_EQ(Names(dists), (std::vector<std::string>{"Baz 1.0", "foo-bar 0.3"}));
  EXPECT_EQ(ImportNames(dists[0]), (std::vector<std::string>{"_baz_speedups", "baz"}));
  EXPECT_EQ(ImportNames(dists[1]), (std::vector<std::string>{"foo_bar"}));
  EXPECT_TRUE(warnings.empty());
}

TEST(DistInfoTest, ImportNames) {
  std::vector<std::string> warnings;
  auto dists = ScanDistributions({Testdata("site-packages")}, {}, &warnings);
  ASSERT_EQ(dists.size(), 4u);
  EXPECT_EQ(ImportNames(dists[0]), (std::vector<std::string>{"pyyaml"}));  // a bare egg-info file: the name
  EXPECT_EQ(ImportNames(dists[1]), (std::vector<std::string>{"numpy"}));   // RECORD, without numpy.libs
  EXPECT_EQ(ImportNames(dists[2]), (std::vector<std::string>{"sklearn"}));
  EXPECT_EQ(ImportNames(dists[3]), (std::vector<std::string>{"functorch", "torch", "torchgen"}));
  auto index = ImportIndex(dists);
  EXPECT_EQ(index.at("sklearn"), "scikit-learn");
  EXPECT_EQ(index.at("torchgen"), "torch");
  EXPECT_EQ(index.size(), 6u);
}

TEST(DistInfoTest, RecordModulesAndExtensions) {
  TempRoot root;
  root.Write("site/six-1.16.0.dist-info/METADATA", "Name: six\nVersion: 1.16.0\n");
  root.Write("site/six-1.16.0.dist-info/RECORD",
             "six.py,sha256=x,1\n__pycache__/six.cpython-311.pyc,,\nsix-1.16.0.dist-info/RECORD,,\n");
  root.Write("site/cffi-1.16.0.dist-info/METADATA", "Name: cffi\nVersion: 1.16.0\n");
  root.Write("site/cffi-1.16.0.dist-info/RECORD",
             "\"cffi/a,b.py\",sha256=x,1\n_cffi_backend.cpython-311-x86_64-linux-gnu.so,,\n"
             "cffi-1.16.0.data/scripts/x,,\n../../../bin/cffi,,\n");
  std::vector<std::string> warnings;
  auto dists = ScanDistributions({root / "site"}, {}, &warnings);
  ASSERT_EQ(Names(dists), (std::vector<std::string>{"cffi 1.16.0", "six 1.16.0"}));
  EXPECT_EQ(ImportNames(dists[0]), (std::vector<std::string>{"_cffi_backend", "cffi"}));
  EXPECT_EQ(ImportNames(dists[1]), (std::vector<std::string>{"six"}));
}

TEST(DistInfoTest, NormalizeDistName) {
  EXPECT_EQ(NormalizeDistName("scikit_learn"), "scikit-learn");
  EXPECT_EQ(NormalizeDistName("Foo.Bar__baz"), "foo-bar-baz");
  EXPECT_EQ(NormalizeDistName("PyYAML"), "pyyaml");
}

TEST(DistInfoTest, FrameworksFromFixture) {
  std::vector<std::string> warnings;
  Json fw = FrameworkVersions({Testdata("site-packages")}, &warnings);
  EXPECT_EQ(fw, (Json{{"torch", "2.3.1"}, {"scikit-learn", "1.4.2"}, {"numpy", "1.26.4"}})) << fw.dump();
  EXPECT_TRUE(warnings.empty());
}

TEST(DistInfoTest, FrameworkUnderAnotherDistributionName) {
  TempRoot root;
  root.Write("site/tensorflow_cpu-2.15.0.dist-info/METADATA", "Name: tensorflow-cpu\nVersion: 2.15.0\n");
  root.Write("site/keras-2.15.0.dist-info/METADATA", "Name: keras\nVersion: 2.15.0\n");
  std::vector<std::string> warnings;
  Json fw = FrameworkVersions({root / "site"}, &warnings);
  EXPECT_EQ(fw, (Json{{"tensorflow", "2.15.0"}, {"keras", "2.15.0"}}));
}

// This machine's Debian packages, as the interpreter itself reports them.
TEST(DistInfoLiveTest, DebianFrameworksMatchImports) {
  if (!IsExecutableFile("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  ContextEnv env = ContextEnv::FromProcess();
  auto cmd = FindPythonCommand({"/usr/bin/python3", "train.py"}, "/", env);
  ASSERT_TRUE(cmd);
  std::vector<std::string> warnings;
  PythonEnv py = InspectPython(*cmd, env, &warnings);
  Json fw = FrameworkVersions(py.site_packages, &warnings);
  std::string numpy = CommandOutput("/usr/bin/python3 -c 'import numpy; print(numpy.__version__)' 2>/dev/null");
  std::string sklearn = CommandOutput("/usr/bin/python3 -c 'import sklearn; print(sklearn.__version__)' 2>/dev/null");
  if (numpy.empty()) GTEST_SKIP() << "numpy is not installed for /usr/bin/python3";
  EXPECT_EQ(fw.value("numpy", ""), numpy) << fw.dump();
  if (!sklearn.empty()) {
    EXPECT_EQ(fw.value("scikit-learn", ""), sklearn) << fw.dump();
  }
}

}  // namespace
}  // namespace trail::context
