#!/usr/bin/env bash
# Installs everything trail needs to build, test and run its examples on Debian 12.
# Idempotent: packages already present are skipped quickly.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgit2-dev libsqlite3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libssl-dev libzstd-dev libeigen3-dev libnlopt-cxx-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-sklearn python3-pytest python3-yaml python3-optuna
  pybind11-dev python3-dev python3-torch
  hyperfine time
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: dependencies present"
