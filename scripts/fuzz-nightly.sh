#!/usr/bin/env bash
# The nightly fuzz run (issue 14): builds every libFuzzer target (clang, ASan + UBSan) and
# runs each for MADOGUCHI_FUZZ_SECONDS (default 600) on the corpus it keeps between runs in
# build/fuzz/corpus/<target>, seeded from tests/fuzz/seeds/<target>. Prints each target's
# final stats; a crash, leak or broken promise stops the run with its input written to
# build/fuzz/artifacts/ (add it to the seeds once fixed). Targets run one after another,
# each on one core, so the machine stays usable.
#   scripts/fuzz-nightly.sh                 every target, 10 minutes each
#   scripts/fuzz-nightly.sh http_head_fuzz  only the named targets
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${MADOGUCHI_FUZZ_SECONDS:-600}"
jobs="${MADOGUCHI_JOBS:-2}"

CC=clang CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DMADOGUCHI_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build/fuzz -j "$jobs"

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for target in build/fuzz/tests/fuzz/*_fuzz; do targets+=("$(basename "$target")"); done
fi
mkdir -p build/fuzz/artifacts
summary=()
for name in "${targets[@]}"; do
  binary="build/fuzz/tests/fuzz/$name"
  [[ -x "$binary" ]] || { echo "no fuzz target $name" >&2; exit 2; }
  corpus="build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz/seeds/$name"
  [[ -d "$seeds" ]] || seeds=""
  log="build/fuzz/artifacts/$name.log"
  echo "== $name (${seconds} s)"
  # -print_final_stats: executions, execs/s, peak RSS; the last status line: coverage.
  if ! "$binary" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$name-" \
      "$corpus" $seeds >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "!! $name failed: input and log in build/fuzz/artifacts/" >&2
    exit 1
  fi
  status="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
  grep -E '^stat::' "$log"
  echo "$status"
  summary+=("$name: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') executions, \
$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')/s, \
$(sed -E 's/.*cov: ([0-9]+).*ft: ([0-9]+).*corp: ([0-9]+).*/cov \1, ft \2, corpus \3/' <<<"$status")")
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
