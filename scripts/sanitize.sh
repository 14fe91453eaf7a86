#!/usr/bin/env bash
# The whole test suite under the sanitizers (issue 14), run before each release: one build
# with ASan + UBSan, one with TSan, each in its own folder (build/sanitize-address,
# build/sanitize-thread), every test against it. A finding fails its test: ASan and UBSan
# stop the process at the first one, TSan makes it exit 66. The gateway processes the
# integration tests start inherit these options (tests/integration/harness.cpp).
#   scripts/sanitize.sh                 both, one after the other
#   scripts/sanitize.sh thread          only TSan (or: address)
# Prints each run's summary; the last results are in the README ("Sanitizers").
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [[ ! -d ../shared/design ]]; then
  echo "../shared (design documents and LINE's OpenAPI files) must sit beside the checkout" >&2
  exit 2
fi
kinds=("$@")
[[ ${#kinds[@]} -gt 0 ]] || kinds=(address thread)
for kind in "${kinds[@]}"; do
  [[ "$kind" == address || "$kind" == thread ]] || { echo "unknown sanitizer $kind (address or thread)" >&2; exit 2; }
done

scripts/install-deps.sh --browser
if [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi
jobs="${MADOGUCHI_JOBS:-$(nproc)}"

# halt_on_error for TSan too: the first race stops that test with its report, not a flood.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"

failed=()
for kind in "${kinds[@]}"; do
  dir="build/sanitize-$kind"
  echo "== build ($kind)"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMADOGUCHI_SANITIZE="$kind" >/dev/null
  ninja -C "$dir" -j "$jobs"
  echo "== tests ($kind)"
  started=$(date +%s)
  # Instrumented code runs several times slower: the same tests, a longer leash.
  if ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 2700 | tee "$dir/sanitize.log"; then
    echo "== $kind: every test passed in $(( $(date +%s) - started )) s"
  else
    echo "!! $kind: failures above (log in $dir/sanitize.log)" >&2
    failed+=("$kind")
  fi
done
[[ ${#failed[@]} -eq 0 ]] || { echo "sanitizer runs failed: ${failed[*]}" >&2; exit 1; }
echo "== sanitizer runs passed: ${kinds[*]}"
