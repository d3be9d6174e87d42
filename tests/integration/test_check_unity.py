"""scripts/check_unity.py (ctest unity_names): the names a unity build would see twice in one
translation unit, found in a small source tree whatever the batches are."""
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "check_unity.py"


def check(tree, files):
    for name, text in files.items():
        path = tree / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return subprocess.run([sys.executable, str(SCRIPT), str(tree)], capture_output=True, text=True, timeout=60)


HEADER = "#include <string>\n\nnamespace trail::x {\n"
FOOTER = "}  // namespace trail::x\n"


def anonymous(body):
    return HEADER + "namespace {\n" + body + "\n}  // namespace\n" + FOOTER


def test_collisions_in_one_target_are_named_with_both_files(tmp_path):
    result = check(tmp_path, {
        "src/x/a.cc": anonymous('constexpr int kLimit = 1;\nstd::string Text(int n) { return ""; }\nstruct Cursor { int i; };'),
        "src/x/b.cc": anonymous('constexpr int kLimit = 2;\nstd::string Text(int count) { return "b"; }\nstruct Cursor {};'),
        "src/x/c.cc": HEADER + "static bool Flag(const std::string& s) { return s.empty(); }\n" + FOOTER,
        "src/x/d.cc": anonymous("bool Flag(const std::string &other) { return true; }"),
    })
    assert result.returncode == 1
    out = result.stdout
    assert "trail_x: variable kLimit defined in src/x/a.cc and src/x/b.cc" in out
    assert "trail_x: function Text(int) defined in src/x/a.cc and src/x/b.cc" in out
    assert "trail_x: type Cursor defined in src/x/a.cc and src/x/b.cc" in out
    assert "trail_x: function Flag(const std::string&) defined in src/x/c.cc and src/x/d.cc" in out
    assert "4 name(s)" in out


def test_a_name_a_header_of_the_folder_declares_is_named(tmp_path):
    result = check(tmp_path, {
        "src/x/digits.h": HEADER + "inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }\nstruct Placement { int at; };\n" + FOOTER,
        "src/x/scan.cc": anonymous("bool IsDigit(char c) { return c == '0'; }\nstruct Placement { long at; };"),
    })
    assert result.returncode == 1
    assert "trail_x: function IsDigit(char) defined in src/x/scan.cc and src/x/digits.h" in result.stdout
    assert "trail_x: type Placement defined in src/x/scan.cc and src/x/digits.h" in result.stdout


def test_a_name_another_file_brings_in_with_using_is_named(tmp_path):
    result = check(tmp_path, {
        "src/x/test_util.h": HEADER + "namespace testing {\ninline int Sh(const std::string& s) { return 0; }\n}\n" + FOOTER,
        "src/x/a_test.cc": anonymous("using testing::Sh;"),
        "src/x/b_test.cc": anonymous("long Sh(const std::string& script) { return 1; }"),
    })
    assert result.returncode == 1
    assert "trail_x_test: function Sh(const std::string&) defined in src/x/b_test.cc and src/x/a_test.cc" in result.stdout


def test_what_a_unity_build_accepts_is_not_reported(tmp_path):
    result = check(tmp_path, {
        # Overloads, aliases repeated, other namespaces, class members, tests apart from the layer,
        # comments and strings, and a function the file's own header declares.
        "src/x/a.cc": anonymous('using V = std::vector<int>;\nstd::string Join(char sep) { return "kLimit"; }\n'
                                "struct A { static int Count(); int kLimit = 1; };\n// constexpr int kGone = 1;")
        + "namespace trail::y {\nnamespace {\nconstexpr int kLimit = 3;\n}\n}\n",
        "src/x/b.cc": anonymous('using V = std::vector<int>;\nstd::string Join(const std::string& sep) { return ""; }\n'
                                "constexpr int kLimit = 4;\nconst char* kGone = \"constexpr int kGone = 1;\";")
        + '#include "x/api.h"\nnamespace trail::x {\nconst std::string& Name() { static std::string s; return s; }\n}\n',
        "src/x/api.h": HEADER + "const std::string& Name();\n" + FOOTER,
        "src/x/a_test.cc": anonymous("constexpr int kLimit = 5;"),
    })
    assert result.returncode == 0, result.stdout
