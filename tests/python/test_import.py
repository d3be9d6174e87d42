"""`import trail` stays light: it imports no framework and no numpy (its time is measured in
bench/python_client.py, not asserted here); the hooks load their framework on first use."""
from conftest import python


def test_import_pulls_in_nothing_heavy(tmp_path):
    script = tmp_path / "probe.py"
    script.write_text("""
import sys
before = set(sys.modules)
import trail
added = set(sys.modules) - before
heavy = sorted(m for m in added if m.split(".")[0] in ("numpy", "torch", "sklearn", "tensorflow", "keras",
                                                         "pandas", "scipy", "joblib", "yaml"))
print("HEAVY", heavy)
print("API", all(callable(getattr(trail, name)) for name in trail.__all__ if name != "TrailError"))
print("ERROR", issubclass(trail.TrailError, Exception), trail.TrailError.__module__)
""")
    out = python(script, cwd=tmp_path).stdout
    assert "HEAVY []" in out
    assert "API True" in out
    assert "ERROR True trail" in out


def test_hook_modules_load_lazily(tmp_path):
    script = tmp_path / "lazy.py"
    script.write_text("""
import sys, trail
print("BEFORE", "sklearn" in sys.modules)
module = trail.sklearn
print("AFTER", module.__name__, callable(module.autolog))
try:
    trail.nothing
except AttributeError as e:
    print("MISSING", e)
""")
    out = python(script, cwd=tmp_path).stdout
    assert "BEFORE False" in out
    assert "AFTER trail.sklearn True" in out
    assert "MISSING module 'trail' has no attribute 'nothing'" in out
