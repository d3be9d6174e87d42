#include "context/package_scan.h"

#include <gtest/gtest.h>

#include "context/stdlib_modules.h"
#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::TempRoot;
using testing::Testdata;

ProgramSources WithImports(std::vector<std::string> imports) {
  ProgramSources s;
  s.imports = std::move(imports);
  return s;
}

PythonEnv Fixture() {
  PythonEnv py;
  py.site_packages = {Testdata("site-packages")};
  return py;
}

TEST(PackageScanTest, StandardLibraryIsLeftOut) {
  std::vector<std::string> warnings;
  Json p = ScanPackages(WithImports({"argparse", "cPickle", "json", "numpy", "os", "tomllib"}), Fixture(), &warnings);
  EXPECT_EQ(p, (Json{{"numpy", "1.26.4"}}));
  EXPECT_EQ(warnings, std::vector<std::string>{});
}

TEST(PackageScanTest, TheInterpretersLibraryFolderIsStandardToo) {
  TempRoot root;
  root.Write("lib/python3.11/vendored_std.py", "");
  root.Write("lib/python3.11/stdpkg/__init__.py", "");
  root.Write("lib/python3.11/lib-dynload/_fastmod.cpython-311-x86_64-linux-gnu.so", "");
  root.Write("lib/python3.11/site-packages/numpy/__init__.py", "");
  PythonEnv py = Fixture();
  py.stdlib = root / "lib/python3.11";
  std::vector<std::string> warnings;
  Json p = ScanPackages(WithImports({"_fastmod", "numpy", "stdpkg", "vendored_std"}), py, &warnings);
  EXPECT_EQ(p, (Json{{"numpy", "1.26.4"}}));
  EXPECT_EQ(StdlibFolderModules(root / "lib/python3.11"),
            (std::set<std::string>{"_fastmod", "stdpkg", "vendored_std"}));
  EXPECT_EQ(StdlibFolderModules(""), std::set<std::string>{});
}

TEST(PackageScanTest, DistributionsSortedWithUnresolvedLast) {
  std::vector<std::string> warnings;
  Json p = ScanPackages(WithImports({"functorch", "sklearn", "tensorflow", "torch", "yaml", "zzz_missing"}), Fixture(),
                        &warnings);
  // functorch comes from torch's top_level.txt, found through the full index.
  EXPECT_EQ(p.dump(),
            R"({"PyYAML":"6.0","scikit-learn":"1.4.2","torch":"2.3.1","unresolved":["tensorflow","zzz_missing"]})");
}

TEST(PackageScanTest, ImportNamedOtherwiseThanItsDistribution) {
  TempRoot root;
  root.Write("site/Fancy_Lib-2.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: Fancy-Lib\nVersion: 2.0\n");
  root.Write("site/Fancy_Lib-2.0.dist-info/top_level.txt", "fancy\n");
  root.Write("later/fancy_lib-9.9.dist-info/METADATA", "Name: fancy-lib\nVersion: 9.9\n");
  PythonEnv py;
  py.site_packages = {root / "site", root / "later"};  // the first on sys.path wins
  std::vector<std::string> warnings;
  EXPECT_EQ(ScanPackages(WithImports({"fancy", "fancy_lib"}), py, &warnings), (Json{{"Fancy-Lib", "2.0"}}));
}

TEST(PackageScanTest, NothingImportedNothingListed) {
  std::vector<std::string> warnings;
  EXPECT_EQ(ScanPackages(ProgramSources{}, Fixture(), &warnings), Json::object());
  EXPECT_EQ(ScanPackages(WithImports({"torch"}), PythonEnv{}, &warnings),
            (Json{{"unresolved", {"torch"}}}));  // site-packages unknown
}

TEST(StdlibModulesTest, KnownNames) {
  for (const char* name : {"os", "sys", "__future__", "__main__", "tomllib", "distutils", "imp", "asyncore",
                           "annotationlib", "cPickle", "urllib2", "BaseHTTPServer", "zoneinfo", "_thread", "binhex"}) {
    EXPECT_TRUE(IsStdlibModule(name)) << name;
  }
  for (const char* name : {"numpy", "torch", "yaml", "", "OS", "test"}) EXPECT_FALSE(IsStdlibModule(name)) << name;
}

}  // namespace
}  // namespace trail::context
