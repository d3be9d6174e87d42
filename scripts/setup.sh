#!/usr/bin/env bash
# Installs everything trail needs to build and run its examples on Debian 12; with --tests, also
# what only the test suite uses (scripts/test.sh passes it; the quick start's demo does not).
# Idempotent: packages already present are skipped quickly.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgit2-dev libsqlite3-dev libyaml-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libssl-dev libzstd-dev libeigen3-dev libnlopt-cxx-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-pandas python3-sklearn python3-pytest python3-yaml python3-optuna
  pybind11-dev python3-dev python3-torch
  python3-pip python3-setuptools python3-wheel python3-venv
  hyperfine time clang-format lld
  libcurl4-openssl-dev zlib1g-dev awscli
  git-lfs git-annex
  libcpp-httplib-dev
  libzip-dev libhdf5-dev libsnappy-dev libleveldb-dev python3-h5py python3-onnx
)
# For the tests only (the demo needs none of them):
TEST_PACKAGES=(
  chromium                      # the web UI's browser tests (driven by playwright-core)
  openssh-server openssh-client # the Git server of test_ssh_remote.py
  # tests/integration/slurm_cluster.py starts a one-node Slurm cluster (slurmctld, slurmd, munged
  # under a temporary folder; no system service). slurm-wlm brings the client tools.
  slurm-wlm munge
  zsh fish # the shells whose completion scripts the tests drive
  tmux     # a terminal in which a test looks at a progress line as a person would
)
if [ "${1:-}" = "--tests" ]; then PACKAGES+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A real S3 protocol server for the remote tests, from the npm registry (versions pinned by
# tools/s3rver/package-lock.json); node_modules is git-ignored.
# Node.js and npm come from Debian unless the machine already has them (a NodeSource nodejs
# bundles npm, and Debian's npm package would conflict with it).
if ! command -v npm >/dev/null; then
  echo "setup: installing nodejs npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
S3RVER_DIR="$(cd "$(dirname "$0")/.." && pwd)/tools/s3rver"
if [ ! -x "$S3RVER_DIR/node_modules/.bin/s3rver" ]; then
  echo "setup: installing s3rver (npm) into tools/s3rver"
  (cd "$S3RVER_DIR" && npm ci --no-audit --no-fund --silent >/dev/null)
fi
# The web UI's build tools (esbuild, TypeScript, uPlot) and the browser tests' playwright-core,
# which drives Debian's chromium (no browser download), pinned by ui/package-lock.json.
UI_DIR="$(cd "$(dirname "$0")/.." && pwd)/ui"
if [ ! -d "$UI_DIR/node_modules" ] || [ "$UI_DIR/package-lock.json" -nt "$UI_DIR/node_modules" ]; then
  echo "setup: installing the web UI's build tools (npm) into ui"
  (cd "$UI_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent >/dev/null && touch node_modules)
fi
echo "setup: dependencies present"
