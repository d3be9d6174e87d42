#include "context/python_command.h"

#include <gtest/gtest.h>

#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::MakeFakePython;
using testing::TempRoot;

class PythonCommandTest : public ::testing::Test {
 protected:
  PythonCommandTest() {
    bin_ = MakeFakePython(root_);
    env_.env["PATH"] = bin_ + ":/usr/bin:/bin";
    cwd_ = root_.MakeDir("proj");
  }
  // The interpreter path FindPythonCommand gives for argv, or "" for none.
  std::string Interpreter(const std::vector<std::string>& argv) {
    auto cmd = FindPythonCommand(argv, cwd_, env_);
    return cmd ? cmd->interpreter : "";
  }

  TempRoot root_;
  std::string bin_, cwd_;
  ContextEnv env_;
};

TEST_F(PythonCommandTest, InterpreterByName) {
  EXPECT_EQ(Interpreter({"python3", "train.py"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"python", "train.py"}), bin_ + "/python");
  EXPECT_EQ(Interpreter({"python3.11", "-u", "train.py"}), bin_ + "/python3.11");
}

TEST_F(PythonCommandTest, InterpreterByPathWithModule) {
  EXPECT_EQ(Interpreter({bin_ + "/python3", "-m", "pkg.train"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"../usr/bin/python3", "-m", "pkg"}), cwd_ + "/../usr/bin/python3");
}

TEST_F(PythonCommandTest, ThroughEnv) {
  EXPECT_EQ(Interpreter({"env", "python3", "x.py"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"/usr/bin/env", "-S", "python3 -u", "x.py"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"/usr/bin/env", "-S", "python3", "-u"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"/usr/bin/env", "-Spython3 -u", "x.py"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"env", "-u", "HOME", "OMP_NUM_THREADS=4", "--", "python3.11", "x.py"}), bin_ + "/python3.11");
}

TEST_F(PythonCommandTest, EnvEditsTheEnvironmentAndFolder) {
  std::string other = root_.MakeDir("other/bin");
  root_.Link("other/bin/python3", bin_ + "/python3.11");
  auto cmd = FindPythonCommand({"env", "PATH=" + other, "-u", "HOME", "-C", "/tmp", "python3", "x.py"}, cwd_, env_);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->interpreter, other + "/python3");
  EXPECT_EQ(cmd->env.at("PATH"), other);
  EXPECT_EQ(cmd->env.count("HOME"), 0u);
  EXPECT_EQ(cmd->cwd, "/tmp");
}

TEST_F(PythonCommandTest, ShebangScripts) {
  root_.Write("proj/train.py", "#!/usr/bin/env python3\nimport sys\n", true);
  root_.Write("proj/direct.py", "#!" + bin_ + "/python3.11 -u\nimport sys\n", true);
  root_.Write("proj/split.py", "#!/usr/bin/env -S python3 -u -X dev\nimport sys\n", true);
  root_.Write("proj/run.sh", "#!/bin/sh\necho hi\n", true);
  root_.Write("proj/notes.txt", "plain text\n");
  EXPECT_EQ(Interpreter({"./train.py", "--epochs", "3"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({cwd_ + "/direct.py"}), bin_ + "/python3.11");
  EXPECT_EQ(Interpreter({"./split.py"}), bin_ + "/python3");
  EXPECT_EQ(Interpreter({"./run.sh"}), "");
  EXPECT_EQ(Interpreter({"./notes.txt"}), "");
}

TEST_F(PythonCommandTest, ConsoleScriptOnPath) {
  // pip writes console scripts (torchrun, accelerate) with a Python shebang.
  root_.Write("usr/bin/torchrun", "#!" + bin_ + "/python3\n# -*- coding: utf-8 -*-\nimport re\n", true);
  EXPECT_EQ(Interpreter({"torchrun", "--nproc-per-node", "2", "train.py"}), bin_ + "/python3");
}

TEST_F(PythonCommandTest, NotPython) {
  EXPECT_EQ(Interpreter({}), "");
  EXPECT_EQ(Interpreter({"make", "train"}), "");
  EXPECT_EQ(Interpreter({"uv", "run", "train.py"}), "");
  EXPECT_EQ(Interpreter({"python3-config", "--libs"}), "");
  EXPECT_EQ(Interpreter({"pythonista"}), "");
  EXPECT_EQ(Interpreter({"env"}), "");
  EXPECT_EQ(Interpreter({"./missing.py"}), "");
  env_.env["PATH"] = root_ / "nowhere";
  EXPECT_EQ(Interpreter({"python3", "x.py"}), "");
}

TEST_F(PythonCommandTest, InterpreterOptions) {
  auto cmd = FindPythonCommand({"python3", "-uI", "train.py", "-E"}, cwd_, env_);
  ASSERT_TRUE(cmd);
  EXPECT_TRUE(cmd->ignore_environment);
  EXPECT_TRUE(cmd->no_user_site);
  EXPECT_FALSE(cmd->no_site);
  cmd = FindPythonCommand({"python3", "-X", "dev", "-s", "-m", "pkg", "-S"}, cwd_, env_);
  ASSERT_TRUE(cmd);
  EXPECT_FALSE(cmd->ignore_environment);
  EXPECT_TRUE(cmd->no_user_site);
  EXPECT_FALSE(cmd->no_site);  // -S after -m belongs to the module
  cmd = FindPythonCommand({"python3", "-S", "-c", "print(1)"}, cwd_, env_);
  ASSERT_TRUE(cmd);
  EXPECT_TRUE(cmd->no_site);
}

TEST(PythonNameTest, Names) {
  for (const char* yes : {"python", "python3", "python3.11", "python3.13t", "python3.6m", "python2.7", "python3.12d"}) {
    EXPECT_TRUE(IsPythonName(yes)) << yes;
  }
  for (const char* no : {"python3-config", "python3.", "pythonw.exe", "ipython", "python3.11-gdb.py", "py"}) {
    EXPECT_FALSE(IsPythonName(no)) << no;
  }
}

// pyenv: the shim on PATH stands for the version pyenv would pick.
class PyenvTest : public PythonCommandTest {
 protected:
  PyenvTest() {
    std::string shim =
        "#!/usr/bin/env bash\nset -e\n[ -n \"$PYENV_DEBUG\" ] && set -x\nprogram=\"${0##*/}\"\n"
        "export PYENV_ROOT=\"/x/.pyenv\"\nexec \"/x/.pyenv/libexec/pyenv\" exec \"$program\" \"$@\"\n";
    root_.Write("pyenv/shims/python3", shim, true);
    root_.Write("pyenv/shims/torchrun", shim, true);
    for (const char* v : {"3.11.8", "3.11.10", "3.12.4"}) {
      std::string mm = std::string(v).substr(0, 4);
      root_.Write("pyenv/versions/" + std::string(v) + "/bin/python" + mm,
                  "\x7f"
                  "ELF",
                  true);
      root_.Link("pyenv/versions/" + std::string(v) + "/bin/python3", "python" + mm);
    }
    root_.Write("pyenv/versions/3.12.4/bin/torchrun", "#!" + (root_ / "pyenv/versions/3.12.4/bin/python3.12") + "\n",
                true);
    root_.Write("pyenv/version", "3.12.4\n");
    env_.env["PATH"] = (root_ / "pyenv/shims") + ":" + bin_;
    env_.env["PYENV_ROOT"] = root_ / "pyenv";
  }
};

TEST_F(PyenvTest, GlobalVersionFile) {
  EXPECT_EQ(Interpreter({"python3", "train.py"}), root_ / "pyenv/versions/3.12.4/bin/python3");
  EXPECT_EQ(Interpreter({"torchrun", "train.py"}), root_ / "pyenv/versions/3.12.4/bin/python3.12");
}

TEST_F(PyenvTest, LocalVersionFilePrefixPicksNewest) {
  root_.Write(".python-version", "# comment\n3.11\n");  // in a parent of cwd
  EXPECT_EQ(Interpreter({"python3", "train.py"}), root_ / "pyenv/versions/3.11.10/bin/python3");
}

TEST_F(PyenvTest, PyenvVersionVariableWins) {
  root_.Write("proj/.python-version", "3.12.4\n");
  env_.env["PYENV_VERSION"] = "3.11.8";
  EXPECT_EQ(Interpreter({"python3", "train.py"}), root_ / "pyenv/versions/3.11.8/bin/python3");
  env_.env["PYENV_VERSION"] = "system";
  EXPECT_EQ(Interpreter({"python3", "train.py"}), bin_ + "/python3");
}

TEST_F(PyenvTest, UnknownVersionKeepsTheShim) {
  env_.env["PYENV_VERSION"] = "3.9.1";
  EXPECT_EQ(Interpreter({"python3", "train.py"}), root_ / "pyenv/shims/python3");
}

}  // namespace
}  // namespace trail::context
