#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
# GoogleTest unit tests and the end-to-end tests that drive the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${1:-}" = "--sanitize" ]; then
  # The unit and fuzz-replay tests again under AddressSanitizer + UBSan (leaks included).
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTRAIL_SANITIZE=ON >/dev/null
  ninja -C build-asan -j "${TRAIL_BUILD_JOBS:-2}"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j 2 --timeout 1800 -E '^(integration|python_client)$'
  exit
fi
scripts/build.sh
ctest --test-dir build --output-on-failure -j 2 --timeout 1800
