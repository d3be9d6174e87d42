#!/usr/bin/env bash
# Builds the fuzz harnesses with clang's libFuzzer, ASan and UBSan, and runs each for a while
# against its seed corpus. See fuzz/README.md.
#
#   fuzz/run_fuzzers.sh [-t SECONDS] [-j JOBS] [--merge] [NAME...]
#
#   -t SECONDS  how long each fuzzer runs (default 60)
#   -j JOBS     parallel libFuzzer jobs per fuzzer (default 1)
#   --merge     afterwards, add the new inputs that reach new coverage to fuzz/corpus/<name>/
#   NAME        metrics_line, query, record, params, tfevents, csvlog, sweep_spec, python_source,
#               context_config, pointer, store_manifest, pack, s3_xml, dataset_instances,
#               parquet_footer, npy_header, ..., aws_credentials (default: all)
#
# New inputs go to a temporary directory, never into the repository unless --merge is given.
# Crashes and failed checks are saved as $TRAIL_FUZZ_ARTIFACTS/<name>-crash-<sha1> (default
# /tmp/fuzz-crashes). The build lives in $TRAIL_FUZZ_BUILD (default /tmp/trail-fuzz-build).
# Exits 1 if any fuzzer found a problem.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
build="${TRAIL_FUZZ_BUILD:-/tmp/trail-fuzz-build}"
artifacts="${TRAIL_FUZZ_ARTIFACTS:-/tmp/fuzz-crashes}"
seconds=60
jobs=1
merge=0
names=()
all_names=(metrics_line query record params tfevents csvlog output_parser sweep_spec python_source context_config
           pointer store_manifest pack s3_xml dataset_instances parquet_footer npy_header registry_paths tf_checkpoint tf_graph pytorch onnx keras numpy_model tf_pbtxt aws_credentials)

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -t) seconds="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    --merge) merge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
[[ ${#names[@]} -gt 0 ]] || names=("${all_names[@]}")
for name in "${names[@]}"; do
  [[ -d "$here/corpus/$name" ]] || { echo "unknown fuzzer '$name' (have: ${all_names[*]})" >&2; exit 2; }
done

if ! command -v clang++ >/dev/null; then
  echo "clang++ not found; installing it: apt-get install -y clang"
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y clang; else sudo apt-get install -y clang; fi
fi

# Everything is built with coverage instrumentation and sanitizers, so the layer libraries are
# fuzzed too; -O1 -g without NDEBUG keeps trail's own asserts on.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
echo "configuring $build"
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DTRAIL_FUZZ_LIBFUZZER=ON >/dev/null
targets=()
for name in "${names[@]}"; do targets+=("${name}_fuzzer"); done
ninja -C "$build" "${targets[@]}"

mkdir -p "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
for name in "${names[@]}"; do
  seeds="$here/corpus/$name"
  work="$(mktemp -d "/tmp/trail-fuzz-$name.XXXXXX")"  # logs of -jobs runs land here
  found="$work/corpus"
  mkdir "$found"
  options=(-max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$artifacts/$name-")
  [[ -f "$here/$name.dict" ]] && options+=(-dict="$here/$name.dict")
  if [[ "$jobs" -gt 1 ]]; then options+=(-jobs="$jobs" -workers="$jobs"); fi
  echo "== $name: ${seconds}s, seeds $seeds, new inputs in $found"
  # The first directory receives new inputs; the seed directory is only read.
  if (cd "$work" && "$build/fuzz/${name}_fuzzer" "${options[@]}" "$found" "$seeds"); then
    echo "== $name: no problem found"
  else
    echo "== $name: FOUND A PROBLEM (reproducer in $artifacts/)"
    failed+=("$name")
  fi
  if [[ $merge -eq 1 ]]; then
    echo "== $name: merging new coverage into $seeds"
    "$build/fuzz/${name}_fuzzer" -merge=1 "$seeds" "$found"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "problems found by: ${failed[*]}"
  exit 1
fi
echo "all fuzzers ran ${seconds}s without finding a problem"
