"""Shell completion (`trail completion bash|zsh|fish`) and the hidden `trail __complete`: the
generated script is sourced in the real shell. bash: its function called as bash's completion
would call it (COMP_WORDS / COMP_CWORD), and COMPREPLY checked; zsh: `_trail` called with
`words` / CURRENT / PREFIX set and zsh's completers (compadd, _describe, _files) replaced by ones
that print what they were offered; fish: `complete -C`, fish's own completion engine."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import TRAIL, env_with, init_project, make_git_repo, trail


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """One project with two runs and two remotes, the script, and a PATH on which `trail` is found."""
    base = tmp_path_factory.mktemp("completion")
    repo = make_git_repo(base / "shop")
    init_project(repo, "p")
    trail("run", "--", "true", cwd=repo)
    trail("run", "--", "true", cwd=repo)
    (base / "r1").mkdir()
    (base / "r2").mkdir()
    trail("remote", "add", "origin", str(base / "r1"), cwd=repo)
    trail("remote", "add", "backup", str(base / "r2"), cwd=repo)
    bindir = base / "bin"
    bindir.mkdir()
    (bindir / "trail").symlink_to(TRAIL)
    script = base / "trail.bash"
    script.write_text(trail("completion", "bash", cwd=base).stdout)
    zsh_script = base / "_trail"
    zsh_script.write_text(trail("completion", "zsh", cwd=base).stdout)
    fish_script = base / "trail.fish"
    fish_script.write_text(trail("completion", "fish", cwd=base).stdout)
    (base / "home").mkdir()
    env = env_with(PATH=f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}", HOME=str(base / "home"),
                   XDG_CONFIG_HOME=str(base / "home"), XDG_DATA_HOME=str(base / "home"))
    return {"repo": repo, "base": base, "script": script, "zsh": zsh_script, "fish": fish_script, "env": env}


def complete(setup, line, cwd=None):
    """COMPREPLY for the command line `line` with the cursor at its end (a trailing space: a new word)."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    program = (
        f"source {setup['script']}\n"
        "COMP_WORDS=(\"$@\"); COMP_CWORD=$(( $# - 1 )); COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}\n"
        "_trail trail\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    proc = subprocess.run(["bash", "-c", program, "bash", *words], cwd=str(cwd or setup["repo"]),
                          capture_output=True, text=True, env=setup["env"], timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    return [w for w in proc.stdout.split("\n") if w]


def test_script_is_valid_bash_and_help_says_how_to_install(setup):
    assert subprocess.run(["bash", "-n", str(setup["script"])]).returncode == 0
    text = setup["script"].read_text()
    assert "complete -o nosort -F _trail trail" in text
    assert "__complete" not in trail("--help", cwd=setup["base"]).stdout  # hidden
    help_text = trail("completion", "--help", cwd=setup["base"]).stdout
    assert "source <(trail completion bash)" in help_text
    assert "/usr/share/bash-completion/completions/trail" in help_text


def test_top_level_commands_from_a_prefix(setup):
    assert complete(setup, "trail re") == ["reproduce", "remote"]
    everything = complete(setup, "trail ")
    for name in ("init", "run", "show", "model", "push", "completion"):
        assert name in everything
    assert "__complete" not in everything
    assert complete(setup, "trail --v") == ["--version"]


def test_subcommands_and_their_options(setup):
    assert complete(setup, "trail model ") == ["inspect", "diff", "register", "alias", "ls", "show"]
    assert complete(setup, "trail remote a") == ["add"]
    assert complete(setup, "trail model inspect --") == ["--help", "--format", "--no-checksums"]
    assert set(complete(setup, "trail push -")) >= {"-r", "--remote", "-j", "--jobs", "--no-git", "--format"}
    assert "json" in complete(setup, "trail ls --format ")  # CLI::IsMember's choices
    assert complete(setup, "trail show --format j") == ["json"]


def test_run_ids_newest_first(setup):
    assert complete(setup, "trail show ") == ["p-2", "p-1"]
    assert complete(setup, "trail show p-1") == ["p-1"]
    assert complete(setup, "trail diff p-2 ") == ["p-2", "p-1"]
    assert complete(setup, "trail run --resume ") == ["p-2", "p-1"]
    assert complete(setup, "trail rm p-1 ") == ["p-2", "p-1"]  # several runs
    # -C DIR before the command is where the runs are looked up.
    assert complete(setup, f"trail -C {setup['repo']} show ", cwd=setup["base"]) == ["p-2", "p-1"]


def test_remote_names(setup):
    assert complete(setup, "trail push ") == ["backup", "origin"]
    assert complete(setup, "trail pull -r o") == ["origin"]
    assert complete(setup, "trail fetch --remote ") == ["backup", "origin"]
    assert complete(setup, "trail remote rm b") == ["backup"]


def test_outside_a_project_nothing_and_no_noise(setup):
    assert complete(setup, "trail show ", cwd=setup["base"]) == []
    proc = trail("__complete", "runs", "", cwd=setup["base"])
    assert proc.stdout == "" and proc.stderr == ""
    bad = trail("__complete", "things", cwd=setup["repo"], check=False)
    assert bad.returncode != 0 and "things" in bad.stderr
    bad = trail("completion", "tcsh", cwd=setup["base"], check=False)
    assert bad.returncode != 0 and "tcsh" in bad.stderr and bad.stdout == ""


def test_files_where_a_path_goes(setup):
    (setup["base"] / "spec-one.yaml").write_text("x")
    assert complete(setup, "trail sweep spec-", cwd=setup["base"]) == ["spec-one.yaml"]
    assert complete(setup, "trail run -- tru") and "true" in complete(setup, "trail run -- tru")


def test_help_and_man_pages(setup):
    base = setup["base"]
    assert "Usage: inspect" in trail("help", "model", "inspect", cwd=base).stdout
    page = trail("help", "--man", "push", cwd=base).stdout
    assert page.startswith(".TH TRAIL-PUSH 1 ")
    assert "\\fB\\-r, \\-\\-remote\\fR \\fITEXT\\fR" in page  # every option, from the tree
    assert ".SH SEE ALSO" in page
    top = trail("help", "--man", cwd=base).stdout
    assert top.startswith(".TH TRAIL 1 ") and "\\fBtrail\\-model\\fR(1)" in top
    bad = trail("help", "--man", "nope", cwd=base, check=False)
    assert bad.returncode == 2 and "trail nope" in bad.stderr and bad.stdout == ""
    out = base / "man"
    out.mkdir()
    (base / "elsewhere").write_text("keep")
    (out / "trail-ls.1").symlink_to(base / "elsewhere")  # a link there is not followed
    bad = trail("help", "--man", "--output-dir", out, cwd=base, check=False)
    assert bad.returncode == 1 and "trail-ls.1" in bad.stderr
    assert (base / "elsewhere").read_text() == "keep"
    (out / "trail-ls.1").unlink()
    trail("help", "--man", "--output-dir", out, cwd=base)
    assert (out / "trail-model-inspect.1").read_text().startswith(".TH TRAIL-MODEL-INSPECT 1 ")
    rendered = subprocess.run(["man", "-l", str(out / "trail-remote-add.1")], capture_output=True, text=True,
                              env=dict(setup["env"], MANPAGER="cat", MANWIDTH="100"))
    assert rendered.returncode == 0 and "TRAIL-REMOTE-ADD(1)" in rendered.stdout


def test_cmake_install_puts_binary_completion_and_man_pages_in_place(setup):
    build = Path(TRAIL).parent
    if not (build / "CMakeCache.txt").exists() or not (build / "generated" / "man" / "trail.1").exists():
        pytest.skip("TRAIL_BIN is not in a CMake build folder whose default target was built")
    prefix = setup["base"] / "prefix"
    proc = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    binary = prefix / "bin" / "trail"
    assert os.access(binary, os.X_OK)
    assert subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.startswith("trail ")
    completion = prefix / "share" / "bash-completion" / "completions" / "trail"
    assert "complete -o nosort -F _trail trail" in completion.read_text()
    man1 = prefix / "share" / "man" / "man1"
    assert (man1 / "trail.1").read_text().startswith(".TH TRAIL 1 ")
    assert (man1 / "trail-show.1").read_text().startswith(".TH TRAIL-SHOW 1 ")
    assert (man1 / "trail-remote-add.1").exists()
    # The Python package, importable from where it was installed (the prefix's dist-packages).
    packages = list(prefix.glob("lib/python3*/dist-packages/trail"))
    if (build / "python" / "trail" / "__init__.py").exists():
        assert len(packages) == 1, list(prefix.rglob("*"))[:20]
        assert sorted(p.name for p in packages[0].glob("_trail*.so")), "the native module is installed"
        assert not any(p.is_symlink() for p in packages[0].iterdir()), "files, not links into the build"
        proc = subprocess.run(["/usr/bin/python3", "-c", "import trail; print(trail.__file__)"], capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=str(packages[0].parent)), cwd=prefix)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == str(packages[0] / "__init__.py")


# zsh's completers, replaced by ones that print what they are offered (filtered by PREFIX as
# theirs are): compadd's words, _describe's "name:description" entries, "<files>" for _files.
ZSH_STUBS = r"""
compdef() { : }
compadd() {
  while [[ $# -gt 0 && $1 != -- ]]; do shift; done
  shift
  local w
  for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -r -- "$w"; done
}
_describe() {
  local entry
  for entry in "${(@P)${@[-1]}}"; do [[ $entry == ${PREFIX}* ]] && print -r -- "$entry"; done
}
_files() { print -r -- '<files>' }
_command_names() { print -r -- '<commands>' }
"""


def zsh_complete(setup, line, cwd=None):
    """What zsh would be offered for `line` with the cursor at its end."""
    words = line.split()
    if line.endswith(" "):
        words.append("")
    program = (ZSH_STUBS + f"source {setup['zsh']}\n"
               "words=(\"$@\"); CURRENT=$#; PREFIX=${words[-1]}\n"
               "_trail\n")
    proc = subprocess.run(["zsh", "-f", "-c", program, "zsh", *words], cwd=str(cwd or setup["repo"]),
                          capture_output=True, text=True, env=setup["env"], timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    return [w for w in proc.stdout.split("\n") if w]


def fish_complete(setup, line, cwd=None):
    """fish's own completions for `line` (cursor at its end): [(word, description)]."""
    proc = subprocess.run(["fish", "--no-config", "-c", f"source {setup['fish']}; complete -C $argv[1]", line],
                          cwd=str(cwd or setup["repo"]), capture_output=True, text=True, env=setup["env"],
                          timeout=20)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    return [tuple((w.split("\t") + [""])[:2]) for w in proc.stdout.split("\n") if w]


needs_zsh = pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed (scripts/setup.sh)")
needs_fish = pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (scripts/setup.sh)")


@needs_zsh
def test_zsh_script_parses_and_completes_commands_with_their_descriptions(setup):
    assert subprocess.run(["zsh", "-n", str(setup["zsh"])]).returncode == 0
    assert setup["zsh"].read_text().startswith("#compdef trail\n")
    names = [e.split(":", 1)[0] for e in zsh_complete(setup, "trail re")]
    assert names == ["reproduce", "remote"]
    entries = zsh_complete(setup, "trail sh")
    assert entries == ["show:print one run's whole record"]
    assert [e.split(":", 1)[0] for e in zsh_complete(setup, "trail model ")] == [
        "inspect", "diff", "register", "alias", "ls", "show"]


@needs_zsh
def test_zsh_options_choices_runs_remotes_and_files(setup):
    options = zsh_complete(setup, "trail push --")
    assert "--remote:the remote to use (default: trail remote default's, else the only one, else origin)" in options
    assert any(o.startswith("--progress:") for o in options)
    assert zsh_complete(setup, "trail show --format j") == ["json"]
    assert zsh_complete(setup, "trail --color ") == ["auto", "always", "never"]
    assert zsh_complete(setup, "trail show ") == ["p-2", "p-1"]
    assert zsh_complete(setup, "trail diff p-2 ") == ["p-2", "p-1"]
    assert zsh_complete(setup, "trail run --resume p-1") == ["p-1"]
    assert zsh_complete(setup, "trail push ") == ["backup", "origin"]
    assert zsh_complete(setup, "trail pull -r o") == ["origin"]
    assert zsh_complete(setup, "trail sweep ") == ["<files>"]
    assert zsh_complete(setup, "trail run -- ") == ["<commands>"]
    assert zsh_complete(setup, f"trail -C {setup['repo']} show ", cwd=setup["base"]) == ["p-2", "p-1"]
    assert zsh_complete(setup, "trail show ", cwd=setup["base"]) == []


@needs_fish
def test_fish_commands_with_descriptions(setup):
    assert fish_complete(setup, "trail sh") == [("show", "print one run's whole record")]
    assert {w for w, _ in fish_complete(setup, "trail re")} == {"reproduce", "remote"}
    assert {w for w, _ in fish_complete(setup, "trail model ")} == {"inspect", "diff", "register", "alias", "ls", "show"}
    assert "__complete" not in {w for w, _ in fish_complete(setup, "trail ")}


@needs_fish
def test_fish_options_choices_runs_remotes_and_files(setup):
    options = dict(fish_complete(setup, "trail push --"))
    assert options["--remote"].startswith("the remote to use")
    assert "--progress" in options and "--jobs" in options
    assert [w for w, _ in fish_complete(setup, "trail show --format j")] == ["json"]
    assert {w for w, _ in fish_complete(setup, "trail --color ")} == {"auto", "always", "never"}
    assert {w for w, _ in fish_complete(setup, "trail show ")} == {"p-1", "p-2"}
    assert {w for w, _ in fish_complete(setup, "trail diff p-2 ")} == {"p-1", "p-2"}
    assert {w for w, _ in fish_complete(setup, "trail push ")} == {"backup", "origin"}
    assert {w for w, _ in fish_complete(setup, "trail pull -r o")} == {"origin"}
    assert {w for w, _ in fish_complete(setup, f"trail -C {setup['repo']} show ", cwd=setup["base"])} == {"p-1", "p-2"}
    assert fish_complete(setup, "trail show ", cwd=setup["base"]) == []
    (setup["base"] / "spec-two.yaml").write_text("x")
    assert ("spec-two.yaml", "") in fish_complete(setup, "trail sweep spec-t", cwd=setup["base"])


def test_generated_scripts_are_installed_where_each_shell_looks(setup):
    """cmake --install's rules (CMakeLists.txt) put the three scripts beside bash's."""
    cmake = (Path(__file__).resolve().parents[2] / "CMakeLists.txt").read_text()
    assert "completion/_trail DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions" in cmake
    assert "completion/trail.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d" in cmake
