#include "context/context.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "base/files.h"
#include "context/program_sources.h"
#include "context/test_util.h"
#include "context/text_files.h"

namespace trail::context {
namespace {

using testing::Keys;
using testing::MakeFakePython;
using testing::TempRoot;

TEST(ContextTest, PythonCommandOnFixtureMachine) {
  TempRoot root;
  root.CopyTestdata("root", "");
  std::string bin = MakeFakePython(root);
  ContextEnv env;
  env.root = root.path();
  env.env["PATH"] = bin;
  env.env["CUDA_VISIBLE_DEVICES"] = "1";
  root.Write("proj/train.py", "import os\nimport numpy as np\nfrom model import Net\n");
  root.Write("proj/model.py", "import torch.nn as nn\nimport tensorflow as tf\n");
  std::vector<std::string> warnings;
  // No NVIDIA library on the test machines: the GPUs come from the fixture's /proc.
  Json e = CaptureEnvironment({"python3", "train.py"}, root / "proj", env, &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  EXPECT_EQ(Keys(e),
            (std::vector<std::string>{"os", "distribution", "kernel", "arch", "cpu", "memory_bytes", "processors",
                                      "python", "frameworks", "frameworks_installed", "packages"}));
  EXPECT_EQ(e["distribution"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(e["cpu"]["cores"], 8);
  EXPECT_EQ(e["processors"]["gpu_count"], 1);
  EXPECT_EQ(e["processors"]["gpus"][0]["uuid"], "GPU-9e8d7c6b-5a4f-3e2d-1c0b-a9f8e7d6c5b4");
  EXPECT_EQ(e["python"], (Json{{"interpreter", bin + "/python3.11"},
                               {"version", "3.11.9"},
                               {"site_packages", {root / "usr/lib/python3/dist-packages"}}}));
  // The program imports numpy and torch; scikit-learn is installed beside them, unused.
  EXPECT_EQ(e["frameworks"], (Json{{"torch", "2.3.1"}, {"numpy", "1.26.4"}}));
  EXPECT_EQ(e["frameworks_installed"], (Json{{"torch", "2.3.1"}, {"scikit-learn", "1.4.2"}, {"numpy", "1.26.4"}}));
  // What the program imports, through model.py; tensorflow is not installed.
  EXPECT_EQ(e["packages"], (Json{{"numpy", "1.26.4"}, {"torch", "2.3.1"}, {"unresolved", {"tensorflow"}}}));
}

TEST(ContextTest, GivenSourcesAreUsed) {
  TempRoot root;
  root.CopyTestdata("root", "");
  std::string bin = MakeFakePython(root);
  root.Write("proj/train.py", "import numpy\n");
  ContextEnv env;
  env.root = root.path();
  env.env["PATH"] = bin;
  std::vector<std::string> warnings;
  ProgramSources sources = FindProgramSources({"python3", "train.py"}, root / "proj", root / "proj", env, &warnings);
  sources.imports = {"sklearn"};  // stands out from what train.py imports
  Json e = CaptureEnvironment({"python3", "train.py"}, root / "proj", env, &warnings, &sources);
  EXPECT_EQ(e["packages"], (Json{{"scikit-learn", "1.4.2"}}));
  EXPECT_EQ(e["frameworks"], (Json{{"scikit-learn", "1.4.2"}}));
}

TEST(ContextTest, NonPythonCommandHasNoPythonKeys) {
  TempRoot root;
  root.CopyTestdata("root", "");
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json e = CaptureEnvironment({"make", "train"}, root.path(), env, &warnings);
  EXPECT_EQ(Keys(e),
            (std::vector<std::string>{"os", "distribution", "kernel", "arch", "cpu", "memory_bytes", "processors"}));
}

TEST(ContextTest, OutsideBytesBecomeValidUtf8) {
  TempRoot root;
  root.CopyTestdata("root", "");
  root.Write("etc/os-release", "PRETTY_NAME=\"Bad \xff\xc0\xaf OS\"\n");
  ContextEnv env;
  env.root = root.path();
  std::vector<std::string> warnings;
  Json e = CaptureEnvironment({"make"}, root.path(), env, &warnings);
  EXPECT_EQ(e["distribution"], "Bad \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD OS");
  EXPECT_NO_THROW(e.dump());
}

TEST(ContextTest, EnvPathAndVariables) {
  ContextEnv env;
  env.root = "/some/root/";
  EXPECT_EQ(env.Path("proc/cpuinfo"), "/some/root/proc/cpuinfo");
  EXPECT_EQ(env.Path("/etc/os-release"), "/some/root/etc/os-release");
  EXPECT_EQ(ContextEnv().Path("proc/meminfo"), "/proc/meminfo");
  env.env["A"] = "1";
  ASSERT_NE(env.Get("A"), nullptr);
  EXPECT_EQ(*env.Get("A"), "1");
  EXPECT_EQ(env.Get("B"), nullptr);
}

TEST(ContextTest, FromProcessCopiesEnvironment) {
  ::setenv("TRAIL_CONTEXT_TEST_VAR", "a=b", 1);
  ContextEnv env = ContextEnv::FromProcess();
  EXPECT_EQ(env.root, "/");
  ASSERT_NE(env.Get("TRAIL_CONTEXT_TEST_VAR"), nullptr);
  EXPECT_EQ(*env.Get("TRAIL_CONTEXT_TEST_VAR"), "a=b");
  ::unsetenv("TRAIL_CONTEXT_TEST_VAR");
}

// This machine, as `trail run -- python3 train.py` would see it.
TEST(ContextLiveTest, Python3TrainPy) {
  if (testing::CommandOutput("command -v python3").empty()) GTEST_SKIP() << "no python3 on PATH";
  TempRoot project;
  project.Write("train.py", "import json\nimport sys\n");
  std::vector<std::string> warnings;
  Json e = CaptureEnvironment({"python3", "train.py"}, project.path(), ContextEnv::FromProcess(), &warnings);
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  ASSERT_TRUE(e.contains("python")) << e.dump(2);
  EXPECT_TRUE(PathExists(e["python"]["interpreter"].get<std::string>()));
  EXPECT_FALSE(e["python"].value("version", "").empty());
  EXPECT_EQ(e["packages"], Json::object());  // the standard library is left out
}

}  // namespace
}  // namespace trail::context
