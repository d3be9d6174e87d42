"""Packages the Python client with the native module CMake built (see pyproject.toml).

The module is not compiled here: CMake builds it with the C++ library it binds (scripts/build.sh
_trail), and this copies `trail/_trail<EXT_SUFFIX>` from TRAIL_BUILD_DIR/python (default: the
checkout's build/) into the wheel. The suffix is this interpreter's, so a module built for
another Python is refused rather than packaged. setuptools' own build files go under the CMake
build folder, not into the source tree.
"""
import os
import re
import shutil
import sysconfig

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD = os.path.abspath(os.environ.get("TRAIL_BUILD_DIR") or os.path.join(REPO, "build"))


def _version():
    try:
        with open(os.path.join(REPO, "CMakeLists.txt"), encoding="utf-8") as f:
            found = re.search(r"project\(trail VERSION ([0-9][0-9.]*)", f.read())
    except OSError:
        found = None
    return found.group(1) if found else "0"


def _module():
    path = os.path.join(BUILD, "python", "trail", "_trail" + sysconfig.get_config_var("EXT_SUFFIX"))
    if not os.path.isfile(path):
        raise SystemExit(f"trail: no native module {path}: build it first (scripts/build.sh _trail), or set "
                         f"TRAIL_BUILD_DIR to the CMake build folder that has it")
    return path


class BuildPy(build_py):
    """The pure-Python files, plus the module CMake built."""

    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "trail")
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(_module(), os.path.join(target, os.path.basename(_module())))


class BinaryDistribution(Distribution):
    """A wheel for this platform and interpreter (it holds a native module)."""

    def has_ext_modules(self):
        return True


_work = os.path.join(BUILD, "python-package") if os.path.isdir(BUILD) else None
if _work:
    os.makedirs(_work, exist_ok=True)
setup(
    version=_version(),
    cmdclass={"build_py": BuildPy},
    distclass=BinaryDistribution,
    options={"build": {"build_base": os.path.join(_work, "build")},
             "egg_info": {"egg_base": _work}} if _work else {},
)
