#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for a bounded time, starting from its
# seed corpus in tests/fuzz/corpus/ (and configs/ for the config target) plus every regression input in
# tests/fuzz/regressions/. A crash, a sanitizer report or a FUZZ FINDING fails the run; the input that caused
# it is saved in build-fuzz/artifacts/<target>/ — fix the bug, then copy the input into
# tests/fuzz/regressions/<target>/ so that it is replayed by every later test run.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET (default 60)] [TARGET...]   (targets: config dataset radar)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(config dataset radar)

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVLSTM_FUZZ=ON -DCONVLSTM_NATIVE=OFF \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build build-fuzz -j"${JOBS:-2}" --target "${targets[@]/#/fuzz_}" >/dev/null

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for t in "${targets[@]}"; do
  work="build-fuzz/corpus/$t" artifacts="build-fuzz/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  seeds=("tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t")
  [ "$t" = config ] && seeds+=(configs configs/bench)
  max_len=2048
  [ "$t" = config ] && max_len=4096
  log="build-fuzz/fuzz_$t.log"
  if ! "build-fuzz/fuzz_$t" "$work" "${seeds[@]}" -max_total_time="$seconds" -max_len="$max_len" \
      -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz.sh: fuzz_$t found a bug; the input is in $artifacts/ (see the header of this script)" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
  echo "fuzz.sh: fuzz_$t: ${execs:-?} executions in ${seconds} s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) inputs, no finding"
done
