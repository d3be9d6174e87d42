#include "context/python_env.h"

#include <gtest/gtest.h>

#include <chrono>

#include "base/files.h"
#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::CommandOutput;
using testing::MakeFakePython;
using testing::TempRoot;

// A probe that must not be needed.
std::optional<ProbeResult> NoProbe(const std::string& interpreter, const std::map<std::string, std::string>&,
                                   std::string* error) {
  ADD_FAILURE() << "probed " << interpreter;
  *error = "not allowed";
  return std::nullopt;
}

class PythonEnvTest : public ::testing::Test {
 protected:
  PythonEnvTest() {
    bin_ = MakeFakePython(root_);
    env_.root = root_.path();
    env_.env["PATH"] = bin_;
  }
  PythonEnv Inspect(const std::vector<std::string>& argv, const VersionProbe& probe = NoProbe) {
    auto cmd = FindPythonCommand(argv, root_.path(), env_);
    EXPECT_TRUE(cmd);
    if (!cmd) return {};
    return InspectPython(*cmd, env_, &warnings_, probe);
  }

  TempRoot root_;
  std::string bin_;
  ContextEnv env_;
  std::vector<std::string> warnings_;
};

TEST_F(PythonEnvTest, DebianLayoutFromPatchlevel) {
  PythonEnv py = Inspect({"python3", "train.py"});
  EXPECT_EQ(py.interpreter, bin_ + "/python3.11");
  EXPECT_EQ(py.version, "3.11.9");
  EXPECT_EQ(py.version_source, "patchlevel.h");
  EXPECT_EQ(py.venv, "");
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{root_ / "usr/lib/python3/dist-packages"}));
  EXPECT_TRUE(warnings_.empty());
  EXPECT_EQ(PythonJson(py), (Json{{"interpreter", bin_ + "/python3.11"},
                                  {"version", "3.11.9"},
                                  {"site_packages", {root_ / "usr/lib/python3/dist-packages"}}}));
}

TEST_F(PythonEnvTest, SitePackagesInSysPathOrder) {
  root_.MakeDir("usr/local/lib/python3.11/dist-packages");
  root_.MakeDir("usr/lib/python3.11/dist-packages");
  root_.MakeDir("usr/lib/python3.11/site-packages");  // not on a Debian interpreter's path
  root_.MakeDir("home/ann/.local/lib/python3.11/site-packages");
  root_.MakeDir("extra");
  env_.env["HOME"] = root_ / "home/ann";
  env_.env["PYTHONPATH"] = (root_ / "extra") + "::relative-missing:" + (root_ / "extra");
  PythonEnv py = Inspect({"python3", "train.py"});
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{
                                  root_ / "extra",
                                  root_ / "home/ann/.local/lib/python3.11/site-packages",
                                  root_ / "usr/local/lib/python3.11/dist-packages",
                                  root_ / "usr/lib/python3/dist-packages",
                                  root_ / "usr/lib/python3.11/dist-packages",
                              }));
  // -I: no PYTHONPATH, no user site.
  py = Inspect({"python3", "-I", "train.py"});
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{
                                  root_ / "usr/local/lib/python3.11/dist-packages",
                                  root_ / "usr/lib/python3/dist-packages",
                                  root_ / "usr/lib/python3.11/dist-packages",
                              }));
  env_.env["PYTHONNOUSERSITE"] = "1";
  py = Inspect({"python3", "train.py"});
  EXPECT_EQ(py.site_packages.size(), 4u);
  py = Inspect({"python3", "-S", "train.py"});
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{root_ / "extra"}));
}

TEST_F(PythonEnvTest, VenvWithoutSystemSite) {
  root_.Link("venv/bin/python3", bin_ + "/python3");
  root_.Link("venv/bin/python", "python3");
  root_.MakeDir("venv/lib/python3.11/site-packages");
  root_.Link("venv/lib64", "lib");
  root_.Write("venv/pyvenv.cfg", "home = " + bin_ + "\ninclude-system-site-packages = false\nversion = 3.11.4\n");
  root_.MakeDir("home/ann/.local/lib/python3.11/site-packages");
  env_.env["HOME"] = root_ / "home/ann";
  PythonEnv py = Inspect({root_ / "venv/bin/python", "train.py"});
  EXPECT_EQ(py.interpreter, bin_ + "/python3.11");
  EXPECT_EQ(py.version, "3.11.9");  // the base's headers beat a pyvenv.cfg written before an upgrade
  EXPECT_EQ(py.venv, root_ / "venv");
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{root_ / "venv/lib/python3.11/site-packages"}));
  EXPECT_EQ(PythonJson(py)["venv"], root_ / "venv");
}

TEST_F(PythonEnvTest, VenvWithSystemSite) {
  root_.Link("venv/bin/python", bin_ + "/python3.11");
  root_.MakeDir("venv/lib/python3.11/site-packages");
  root_.Write("venv/pyvenv.cfg", "home = " + bin_ + "\ninclude-system-site-packages = true\n");
  root_.MakeDir("home/ann/.local/lib/python3.11/site-packages");
  env_.env["HOME"] = root_ / "home/ann";
  PythonEnv py = Inspect({root_ / "venv/bin/python", "train.py"});
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{
                                  root_ / "home/ann/.local/lib/python3.11/site-packages",
                                  root_ / "venv/lib/python3.11/site-packages",
                                  root_ / "usr/lib/python3/dist-packages",
                              }));
}

TEST_F(PythonEnvTest, VersionFromPyvenvCfgWhenBaseHasNoHeaders) {
  ASSERT_TRUE(RemoveAll(root_ / "usr/include").ok());
  root_.Link("venv/bin/python", bin_ + "/python3.11");
  root_.Write("venv/pyvenv.cfg", "home = " + bin_ + "\nversion_info = 3.11.7.final.0\n");
  env_.root = root_ / "no-such-root";  // no dpkg status either
  PythonEnv py = Inspect({root_ / "venv/bin/python"});
  EXPECT_EQ(py.version, "3.11.7");
  EXPECT_EQ(py.version_source, "pyvenv.cfg");
}

TEST_F(PythonEnvTest, VersionFromDpkgStatus) {
  ASSERT_TRUE(RemoveAll(root_ / "usr/include").ok());
  root_.CopyTestdata("root/var", "var");
  PythonEnv py = Inspect({"python3"});
  EXPECT_EQ(py.version, "3.11.2");
  EXPECT_EQ(py.version_source, "dpkg");
}

TEST_F(PythonEnvTest, VersionFromCondaMeta) {
  root_.Write("conda/bin/python3.12",
              "\x7f"
              "ELF",
              true);
  root_.Link("conda/bin/python", "python3.12");
  root_.Write("conda/conda-meta/python-3.12.3-hab00c5b_1_cpython.json", "{}");
  root_.Write("conda/conda-meta/python-dateutil-2.9.0-pyhd8ed1ab_0.json", "{}");
  root_.MakeDir("conda/lib/python3.12/site-packages");
  PythonEnv py = Inspect({root_ / "conda/bin/python", "train.py"});
  EXPECT_EQ(py.interpreter, root_ / "conda/bin/python3.12");
  EXPECT_EQ(py.version, "3.12.3");
  EXPECT_EQ(py.version_source, "conda-meta");
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{root_ / "conda/lib/python3.12/site-packages"}));
}

TEST_F(PythonEnvTest, ProbeWhenNoFileKnowsTheVersion) {
  ASSERT_TRUE(RemoveAll(root_ / "usr/include").ok());
  int calls = 0;
  PythonEnv py = Inspect({"python3"}, [&](const std::string& interpreter, const auto&, std::string*) {
    ++calls;
    EXPECT_EQ(interpreter, bin_ + "/python3.11");
    return std::optional<ProbeResult>(ProbeResult{"3.11.5", interpreter});
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(py.version, "3.11.5");
  EXPECT_EQ(py.version_source, "probe");
}

TEST_F(PythonEnvTest, FailedProbeIsWarning) {
  ASSERT_TRUE(RemoveAll(root_ / "usr/include").ok());
  PythonEnv py = Inspect({"python3"}, DefaultVersionProbe);  // the stand-in binary cannot run
  EXPECT_EQ(py.version, "");
  EXPECT_EQ(py.interpreter, bin_ + "/python3.11");
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_EQ(warnings_[0].rfind("python: version of " + bin_ + "/python3.11 unknown: ", 0), 0u) << warnings_[0];
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{root_ / "usr/lib/python3/dist-packages"}));
  EXPECT_FALSE(PythonJson(py).contains("version"));
}

TEST_F(PythonEnvTest, LauncherScriptIsProbedForTheRealInterpreter) {
  // A site's own wrapper: only running it tells what it runs. This one
  // answers like the probe's print() calls would.
  root_.Write("wrap/python3", "#!/bin/sh\necho 3.11.6\necho " + bin_ + "/python3\n", true);
  PythonEnv py = Inspect({root_ / "wrap/python3", "train.py"}, DefaultVersionProbe);
  EXPECT_TRUE(warnings_.empty()) << warnings_.front();
  EXPECT_EQ(py.interpreter, bin_ + "/python3.11");
  EXPECT_EQ(py.version, "3.11.6");
  EXPECT_EQ(py.version_source, "probe");
  EXPECT_EQ(py.site_packages, (std::vector<std::string>{root_ / "usr/lib/python3/dist-packages"}));
}

TEST_F(PythonEnvTest, FailingLauncherIsProbedOnce) {
  root_.Write("wrap/python3", "#!/bin/sh\nexit 3\n", true);
  int calls = 0;
  PythonEnv py =
      Inspect({root_ / "wrap/python3"}, [&](const std::string& interpreter, const auto& env, std::string* error) {
        ++calls;
        return DefaultVersionProbe(interpreter, env, error);
      });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(py.interpreter, root_ / "wrap/python3");
  EXPECT_EQ(py.version, "");
  EXPECT_EQ(warnings_, (std::vector<std::string>{"python: " + (root_ / "wrap/python3") + " is a launcher script and " +
                                                 (root_ / "wrap/python3") + " failed to report its version"}));
}

TEST(ProbePythonTest, TimesOut) {
  TempRoot root;
  std::string slow = root.Write("slow", "#!/bin/sh\nsleep 5\n", true);
  std::string error;
  auto start = std::chrono::steady_clock::now();
  auto result = ProbePython(slow, {}, 200, &error);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(result);
  EXPECT_EQ(error, slow + " did not answer within 200 ms");
  EXPECT_LT(ms, 2000);
}

TEST(ProbePythonTest, RealInterpreter) {
  if (!IsExecutableFile("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  std::string error;
  auto result = ProbePython("/usr/bin/python3", {}, 2000, &error);
  ASSERT_TRUE(result) << error;
  EXPECT_EQ("Python " + result->version, CommandOutput("/usr/bin/python3 --version"));
  EXPECT_EQ(result->executable, "/usr/bin/python3");
}

// This machine's Debian python3, read from its files only.
TEST(PythonEnvLiveTest, DebianPython3) {
  if (!IsExecutableFile("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3";
  ContextEnv env = ContextEnv::FromProcess();
  auto cmd = FindPythonCommand({"/usr/bin/python3", "train.py"}, "/", env);
  ASSERT_TRUE(cmd);
  std::vector<std::string> warnings;
  PythonEnv py = InspectPython(*cmd, env, &warnings, NoProbe);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(py.interpreter, *RealPath("/usr/bin/python3"));
  EXPECT_EQ("Python " + py.version, CommandOutput("/usr/bin/python3 --version"));
  EXPECT_NE(std::find(py.site_packages.begin(), py.site_packages.end(), "/usr/lib/python3/dist-packages"),
            py.site_packages.end());
  std::string sys_path = CommandOutput("/usr/bin/python3 -c 'import sys; print(\"\\n\".join(sys.path))'");
  for (const std::string& dir : py.site_packages) {
    if (env.Get("PYTHONPATH") == nullptr) {
      EXPECT_NE(sys_path.find(dir), std::string::npos) << dir << " is not on sys.path:\n" << sys_path;
    }
  }
}

}  // namespace
}  // namespace trail::context
