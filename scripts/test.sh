#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
# GoogleTest unit tests and the end-to-end tests that drive the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j 2 --timeout 1800
