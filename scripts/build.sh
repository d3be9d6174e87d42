#!/usr/bin/env bash
# Configures and builds trail into build/ (Release with debug info).
#   scripts/build.sh               everything: the CLI, the Python module, benchmarks, unit tests
#   scripts/build.sh --no-tests    all but the unit-test and fuzz-replay programs (what
#                                  scripts/test.sh needs here: it builds those under ASan)
#   scripts/build.sh TARGET...     only these ninja targets
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=("$@")
if [ "${1:-}" = "--no-tests" ]; then
  # Every linked program and module (the CLI, _trail, bench/*) but the *_test and *_fuzzer
  # ones; the layers' libraries and any generated files come in as their dependencies.
  mapfile -t targets < <(ninja -C build -t targets all |
    grep -E '^[^ ]+: CXX_(EXECUTABLE|MODULE_LIBRARY|SHARED_LIBRARY)_LINKER' | cut -d: -f1 |
    grep -vE '(_test|_fuzzer|\.cmake)$' | grep -v '^/' | sort -u)
  # The test command needs no benchmark programs (no test runs them): it skips them to save time.
  if [ "${TRAIL_BUILD_SKIP_BENCH:-}" = 1 ]; then
    mapfile -t targets < <(printf '%s\n' "${targets[@]}" | grep -v '^bench/')
  fi
fi
# Two jobs: the machines trail is built on in CI have two cores and the
# template-heavy units (CLI11, nlohmann) need memory.
ninja -C build -j "${TRAIL_BUILD_JOBS:-2}" "${targets[@]}"

# The Python client (`import trail`, built into build/python when pybind11 is installed). Nothing
# is written into the interpreter's site-packages: install it as a package
# (`python3 -m pip install --no-build-isolation ./python`, docs/python.md) or point PYTHONPATH at it.
# A trail.pth that earlier versions of this script wrote for this checkout is removed.
if [ -d build/python/trail ]; then
  site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])' 2>/dev/null || true)
  if [ -n "$site" ] && [ -f "$site/trail.pth" ] && [ "$(cat "$site/trail.pth")" = "$PWD/build/python" ]; then
    rm -f "$site/trail.pth" 2>/dev/null || true
  fi
  echo "build: for 'import trail': python3 -m pip install --no-build-isolation ./python," \
    "or export PYTHONPATH=$PWD/build/python"
fi
