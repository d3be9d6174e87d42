#!/usr/bin/env bash
# clang-format over every C++ file git tracks (style: .clang-format, Google with a 120 column line).
#   scripts/format.sh          rewrites the files in place
#   scripts/format.sh --check  changes nothing; lists each file that differs and exits 1 (CI runs this)
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT="${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}"
if [ -z "$CLANG_FORMAT" ]; then
  echo "format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files -- '*.cc' '*.h')
if [ "${1:-}" = "--check" ]; then
  # One clang-format per 100 files; each difference is reported as "FILE:LINE:COL: error: ...".
  report=$(printf '%s\0' "${files[@]}" |
    xargs -0 -n 100 "$CLANG_FORMAT" --style=file --dry-run --Werror 2>&1 >/dev/null || true)
  mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' <<<"$report" | cut -d: -f1 | sort -u)
  if ((${#bad[@]})); then
    printf 'format: %s differs from clang-format (run scripts/format.sh)\n' "${bad[@]}" >&2
    exit 1
  fi
  if [ -n "$report" ]; then
    echo "format: clang-format failed: $report" >&2
    exit 2
  fi
  echo "format: ${#files[@]} files match .clang-format"
  exit 0
fi
printf '%s\0' "${files[@]}" | xargs -0 -n 50 "$CLANG_FORMAT" --style=file -i
