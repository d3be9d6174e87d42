#!/usr/bin/env bash
# Configures and builds trail into build/ (Release with debug info).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# Two jobs: the machines trail is built on in CI have two cores and the
# template-heavy units (CLI11, nlohmann) need memory.
ninja -C build -j "${TRAIL_BUILD_JOBS:-2}"
