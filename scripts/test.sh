#!/usr/bin/env bash
# Installs what is needed, builds everything with -Werror, runs every test, then a
# short libFuzzer run of each fuzz target (clang, ASan + UBSan).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ ! -d ../shared/design ]]; then
  echo "../shared (design documents and LINE's OpenAPI files) must sit beside the checkout" >&2
  exit 2
fi

scripts/install-deps.sh --browser
# playwright-core for the console's browser test, exactly as locked; it never downloads a browser.
if [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi
jobs="${MADOGUCHI_JOBS:-$(nproc)}"

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build/test -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMADOGUCHI_WERROR=ON >/dev/null
ninja -C build/test -j "$jobs"

echo "== tests"
ctest --test-dir build/test --output-on-failure -j "$jobs" --timeout 900

echo "== fuzz (short run)"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DMADOGUCHI_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/fuzz -j "$jobs"
for target in build/fuzz/tests/fuzz/*_fuzz; do
  name="$(basename "$target")"
  corpus="build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz/seeds/$name"
  [[ -d "$seeds" ]] || seeds=""
  echo "-- $name"
  "$target" -max_total_time="${MADOGUCHI_FUZZ_SECONDS:-60}" -print_final_stats=1 "$corpus" $seeds
done
echo "== all tests passed"
