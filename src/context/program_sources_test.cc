#include "context/program_sources.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context/module_finder.h"
#include "context/test_util.h"

namespace trail::context {
namespace {

using testing::MakeFakePython;
using testing::TempRoot;
using V = std::vector<std::string>;

class ProgramSourcesTest : public ::testing::Test {
 protected:
  ProgramSourcesTest() {
    bin_ = MakeFakePython(root_);
    env_.env["PATH"] = bin_;
    repo_ = root_.MakeDir("proj");
  }

  ProgramSources Find(const V& argv, const std::string& cwd_rel = "", const SourceLimits& limits = {}) {
    warnings_.clear();
    return FindProgramSources(argv, cwd_rel.empty() ? repo_ : repo_ + "/" + cwd_rel, repo_, env_, &warnings_, limits);
  }
  static V Files(const ProgramSources& s) {
    V out;
    for (const SourceFile& f : s.files) out.push_back(f.display);
    return out;
  }
  std::string Write(const std::string& rel, const std::string& text, bool executable = false) {
    return root_.Write("proj/" + rel, text, executable);
  }

  TempRoot root_;
  std::string bin_, repo_;
  ContextEnv env_;
  V warnings_;
};

TEST_F(ProgramSourcesTest, ScriptAndOptions) {
  Write("src/train.py", "import torch\nfrom helpers import f\n");
  Write("src/helpers.py", "import numpy\n");
  ProgramSources s = Find({"python3", "-u", "-W", "ignore", "-X", "dev", "src/train.py", "--lr", "1"});
  EXPECT_EQ(Files(s), (V{"src/train.py", "src/helpers.py"}));
  EXPECT_EQ(s.imports, (V{"numpy", "torch"}));
  EXPECT_EQ(s.repo_root, repo_);
  EXPECT_EQ(warnings_, V{});
  EXPECT_EQ(Files(Find({"python3", "-OOu", "--", "src/train.py"})), (V{"src/train.py", "src/helpers.py"}));
  EXPECT_EQ(Files(Find({"python3", "--check-hash-based-pycs", "never", "src/train.py"})),
            (V{"src/train.py", "src/helpers.py"}));
  // Relative to the command's folder, also after env -C.
  EXPECT_EQ(Files(Find({"python3", "train.py"}, "src")), (V{"src/train.py", "src/helpers.py"}));
  EXPECT_EQ(Files(Find({"env", "-C", repo_ + "/src", "python3", "train.py"})), (V{"src/train.py", "src/helpers.py"}));
}

TEST_F(ProgramSourcesTest, NoProgram) {
  EXPECT_EQ(Files(Find({"python3"})), V{});
  EXPECT_EQ(Files(Find({"python3", "-"})), V{});
  EXPECT_EQ(Files(Find({"make", "train"})), V{});
  EXPECT_EQ(warnings_, V{});
}

TEST_F(ProgramSourcesTest, CodeArgument) {
  Write("model.py", "import torch.nn\n");
  ProgramSources s = Find({"python3", "-c", "import sklearn; from model import Net"});
  EXPECT_EQ(Files(s), (V{"-c", "model.py"}));
  EXPECT_EQ(s.imports, (V{"sklearn", "torch"}));
  EXPECT_EQ(s.files[0].path, "");
}

TEST_F(ProgramSourcesTest, ModuleEntry) {
  Write("pkg/__init__.py", "");
  Write("pkg/train.py", "from . import nets\nimport yaml\n");
  Write("pkg/nets.py", "import torch\n");
  ProgramSources s = Find({"python3", "-m", "pkg.train", "--epochs", "3"});
  EXPECT_EQ(Files(s), (V{"pkg/__init__.py", "pkg/train.py", "pkg/nets.py"}));
  EXPECT_EQ(s.imports, (V{"torch", "yaml"}));
  EXPECT_EQ(Files(Find({"python3", "-mpkg.train"})), (V{"pkg/__init__.py", "pkg/train.py", "pkg/nets.py"}));
  // A package runs its __main__.py.
  Write("pkg/__main__.py", "from pkg import train\n");
  EXPECT_EQ(Files(Find({"python3", "-um", "pkg"})),
            (V{"pkg/__init__.py", "pkg/__main__.py", "pkg/train.py", "pkg/nets.py"}));
}

TEST_F(ProgramSourcesTest, ModuleOfAnInstalledPackage) {
  ProgramSources s = Find({"python3", "-m", "pytest", "tests/"});
  EXPECT_EQ(Files(s), V{});
  EXPECT_EQ(s.imports, (V{"pytest"}));
  // A launcher module hands over to the script it runs.
  Write("train.py", "import torch.distributed\n");
  s = Find({"python3", "-m", "torch.distributed.run", "--nproc_per_node", "2", "train.py", "--lr", "1"});
  EXPECT_EQ(Files(s), (V{"train.py"}));
  EXPECT_EQ(s.imports, (V{"torch"}));
}

TEST_F(ProgramSourcesTest, LauncherScriptHandsOverToTheProgram) {
  // A console script pip installs beside the interpreter, like torchrun.
  root_.Write("usr/bin/torchrun",
              "#!" + bin_ + "/python3.11\nimport sys\nfrom torch.distributed.run import main\nsys.exit(main())\n",
              true);
  Write("train.py", "import torch\n");
  ProgramSources s = Find({"torchrun", "--nproc_per_node=2", "train.py", "--epochs", "1"});
  EXPECT_EQ(Files(s), (V{"train.py"}));
  // Without a .py argument the launcher itself is what there is to read.
  s = Find({"torchrun", "--help"});
  EXPECT_EQ(Files(s), (V{root_ / "usr/bin/torchrun"}));
  EXPECT_EQ(s.imports, (V{"sys", "torch"}));
}

TEST_F(ProgramSourcesTest, ShebangScriptAndFolder) {
  Write("train.py", "#!/usr/bin/env python3\nimport numpy\n", true);
  env_.env["PATH"] = bin_ + ":/usr/bin:/bin";
  EXPECT_EQ(Files(Find({"./train.py", "--lr", "1"})), (V{"train.py"}));
  Write("app/__main__.py", "from helpers import x\n");
  Write("app/helpers.py", "");
  EXPECT_EQ(Files(Find({"python3", "app"})), (V{"app/__main__.py", "app/helpers.py"}));
}

TEST_F(ProgramSourcesTest, ImportForms) {
  Write("train.py",
        "import a.b.c\n"
        "from pkg.sub import mod, VALUE\n"
        "import ns.tool\n"
        "import bare_ns\n"
        "from both import thing\n"
        "from __future__ import annotations\n"
        "def f():\n    import lazy\n"
        "try:\n    import ujson as json\nexcept ImportError:\n    import json\n");
  Write("a/__init__.py", "");
  Write("a/b/__init__.py", "");
  Write("a/b/c.py", "");
  Write("pkg/__init__.py", "");
  Write("pkg/sub/__init__.py", "VALUE = 1\nfrom .. import sibling\nfrom . import helper\n");
  Write("pkg/sub/mod.py", "");
  Write("pkg/sub/helper.py", "");
  Write("pkg/sibling.py", "from .sub.mod import thing\n");
  Write("ns/tool.py", "");        // a namespace package: no __init__.py
  root_.MakeDir("proj/bare_ns");  // an empty folder is no module of ours
  Write("both/__init__.py", "");  // a package beats a module of the same name
  Write("both.py", "");
  Write("lazy.py", "");
  ProgramSources s = Find({"python3", "train.py"});
  EXPECT_EQ(Files(s),
            (V{"train.py", "a/__init__.py", "a/b/__init__.py", "a/b/c.py", "pkg/__init__.py", "pkg/sub/__init__.py",
               "pkg/sub/mod.py", "ns/tool.py", "both/__init__.py", "lazy.py", "pkg/sibling.py", "pkg/sub/helper.py"}));
  EXPECT_EQ(s.imports, (V{"bare_ns", "json", "ujson"}));
}

TEST_F(ProgramSourcesTest, FromDotImportsANameOfThePackage) {
  Write("pkg/__init__.py", "import torch\nNAME = 1\n");
  Write("pkg/run.py", "from . import NAME\n");
  EXPECT_EQ(Files(Find({"python3", "pkg/run.py"})), (V{"pkg/run.py", "pkg/__init__.py"}));
}

TEST_F(ProgramSourcesTest, PythonPathInsideTheRepositoryIsARoot) {
  Write("train.py", "import shared\nimport outside_mod\n");
  Write("lib/shared.py", "");
  root_.Write("elsewhere/outside_mod.py", "");
  env_.env["PYTHONPATH"] = "lib:" + root_ / "elsewhere";
  ProgramSources s = Find({"python3", "train.py"});
  EXPECT_EQ(Files(s), (V{"train.py", "lib/shared.py"}));
  EXPECT_EQ(s.imports, (V{"outside_mod"}));
  // -E: PYTHONPATH is not read.
  EXPECT_EQ(Files(Find({"python3", "-E", "train.py"})), (V{"train.py"}));
}

TEST_F(ProgramSourcesTest, RepositoryRootIsARoot) {
  Write("scripts/train.py", "from common.io import load\n");
  Write("common/__init__.py", "");
  Write("common/io.py", "");
  EXPECT_EQ(Files(Find({"python3", "scripts/train.py"})),
            (V{"scripts/train.py", "common/__init__.py", "common/io.py"}));
}

TEST_F(ProgramSourcesTest, EachFileOnceThroughLinks) {
  Write("train.py", "import model\nimport alias\n");
  Write("model.py", "import train\n");
  root_.Link("proj/alias.py", "model.py");
  EXPECT_EQ(Files(Find({"python3", "train.py"})), (V{"train.py", "model.py"}));
}

TEST_F(ProgramSourcesTest, ProblemsAreWarnings) {
  ProgramSources s = Find({"python3", "missing.py"});
  EXPECT_EQ(Files(s), V{});
  EXPECT_EQ(warnings_, (V{"program source missing.py: cannot read: No such file or directory"}));

  Write("train.py", "import big\nimport broken\nimport locked\n");
  Write("big.py", std::string(200, '#'));
  Write("broken.py", "import torch\nx = '''never closed\nimport hidden\n");
  std::string locked = Write("locked.py", "");
  ::chmod(locked.c_str(), 0);
  SourceLimits limits;
  limits.max_file_bytes = 100;
  s = Find({"python3", "train.py"}, "", limits);
  bool can_read_anything = ::geteuid() == 0;
  EXPECT_EQ(Files(s), can_read_anything ? (V{"train.py", "broken.py", "locked.py"}) : (V{"train.py", "broken.py"}));
  EXPECT_EQ(s.imports, (V{"torch"}));
  V want = {"program source big.py: larger than 100 bytes; not scanned",
            "program source broken.py: line 4: unterminated triple-quoted string; scanned as far as it reads"};
  if (!can_read_anything) want.push_back("program source locked.py: cannot read: Permission denied");
  EXPECT_EQ(warnings_, want);
}

TEST_F(ProgramSourcesTest, FileCountIsBounded) {
  Write("train.py", "import m1\nimport m2\nimport m3\n");
  Write("m1.py", "");
  Write("m2.py", "");
  Write("m3.py", "");
  SourceLimits limits;
  limits.max_files = 2;
  ProgramSources s = Find({"python3", "train.py"}, "", limits);
  EXPECT_EQ(Files(s), (V{"train.py", "m1.py"}));
  EXPECT_EQ(warnings_, (V{"program sources: more than 2 files; m2.py and later ones not scanned"}));
}

TEST_F(ProgramSourcesTest, OutsideTheRepositoryPathsStayAbsolute) {
  std::string script = root_.Write("elsewhere/run.py", "import numpy\n");
  EXPECT_EQ(Files(Find({"python3", script})), (V{script}));
}

TEST(FindRepoRootTest, NearestGitFolderOrFile) {
  TempRoot root;
  root.MakeDir("repo/.git");
  root.MakeDir("repo/src/deep");
  EXPECT_EQ(FindRepoRoot(root / "repo/src/deep"), root / "repo");
  root.Write("repo/sub/.git", "gitdir: ../.git/modules/sub\n");  // a submodule or worktree
  root.MakeDir("repo/sub/x");
  EXPECT_EQ(FindRepoRoot(root / "repo/sub/x"), root / "repo/sub");
  root.MakeDir("plain/dir");
  EXPECT_EQ(FindRepoRoot(root / "plain/dir"), root / "plain/dir");
}

TEST(ModuleFinderTest, PythonsOrder) {
  TempRoot root;
  root.Write("pkg/__init__.py", "");
  root.Write("pkg.py", "");
  root.Write("pkg/mod.py", "");
  root.Write("ns/deeper/leaf.py", "");
  root.MakeDir("emptyns");
  ModuleFinder finder;
  ModuleFiles m = finder.Find(root.path(), "pkg.mod.attr");
  EXPECT_TRUE(m.found);
  EXPECT_EQ(m.files, (V{root / "pkg/__init__.py", root / "pkg/mod.py"}));
  m = finder.Find(root.path(), "ns.deeper.leaf");
  EXPECT_TRUE(m.found);
  EXPECT_EQ(m.files, (V{root / "ns/deeper/leaf.py"}));
  EXPECT_FALSE(finder.Find(root.path(), "emptyns").found);
  EXPECT_FALSE(finder.Find(root.path(), "ns.deeper").found);
  EXPECT_FALSE(finder.Find(root.path(), "absent").found);
  EXPECT_FALSE(finder.Find(root.path(), "").found);
}

}  // namespace
}  // namespace trail::context
