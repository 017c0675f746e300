#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (scripts/setup.sh), builds in build/, runs ctest; then
# builds again in build-sanitize/ with AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer and runs
# the Catch2 suite (without the [slow] tests) and the end-to-end CLI test under them.
# Extra arguments go to ctest, e.g. scripts/test.sh -R conv2d. CONVLSTM_SANITIZE=0 skips the sanitizer pass
# (it adds about 6 minutes of building on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
(cd build && ctest --output-on-failure -j"${JOBS:-2}" "$@")

if [ "${CONVLSTM_SANITIZE:-1}" != 0 ] && [ $# -eq 0 ]; then
  echo "test.sh: sanitizer build (ASan, UBSan, LSan) in build-sanitize/"
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVLSTM_SANITIZE=ON >/dev/null
  cmake --build build-sanitize -j"${JOBS:-2}" --target convlstm convlstm_tests >/dev/null
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  OMP_NUM_THREADS=1 ./build-sanitize/convlstm_tests "~[slow]" --rng-seed 1 --warn NoTests
  OMP_NUM_THREADS=1 bash tests/cli/e2e_test.sh build-sanitize/convlstm configs/default.yaml
  echo "test.sh: sanitizer pass clean"
fi
