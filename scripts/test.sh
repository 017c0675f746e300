#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (scripts/setup.sh --test), builds in build/, runs ctest;
# then builds again in build-sanitize/ with AddressSanitizer, UndefinedBehaviorSanitizer and LeakSanitizer and
# runs the Catch2 suite (without the [slow] tests, and without the [mpi] ones: Open MPI itself is not
# LeakSanitizer-clean), the fuzz replay and the end-to-end CLI test under them;
# then runs each libFuzzer target for CONVLSTM_FUZZ_SECONDS (default 30) with scripts/fuzz.sh.
# Extra arguments go to ctest, e.g. scripts/test.sh -R conv2d, and skip the two later passes.
# CONVLSTM_SANITIZE=0 skips the sanitizer pass (about 6 minutes of building on 2 cores), CONVLSTM_FUZZ_SECONDS=0
# the fuzzing (about 1 minute of building plus the runs).
set -euo pipefail
cd "$(dirname "$0")/.."
# The project speaks of itself: a figure carries its date, commit and machine, never the stretch of work that
# made it. (The pattern is split so that this file does not match itself.)
if grep -rniIE '\bsess''ions?\b' README.md CONTRIBUTING.md docs configs scripts; then
  echo "test.sh: the lines above speak of how the project was made, not of what it is; date a figure instead" >&2
  exit 1
fi
bash scripts/setup.sh --test
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
# Tests that cannot run here are reported as skipped by ctest (tests/support/skip.hpp). Where the real radar
# samples (../shared beside the checkout), OpenCV or the georeferenced-output readers (python3-xarray,
# -netcdf4, -rasterio, gdal-bin; setup.sh --test installs them) are present, a test that skips for want of
# them fails instead: with them there, every such test must have run.
require=()
[ -d ../shared/data/radar/knmi-20100826 ] && require+=(shared)
dpkg-query -W -f='${Status}' libopencv-video-dev 2>/dev/null | grep -q "install ok installed" && require+=(opencv)
/usr/bin/python3 -c "import xarray, netCDF4, rasterio" 2>/dev/null && command -v gdalinfo >/dev/null && require+=(geo)
export CONVLSTM_REQUIRE
CONVLSTM_REQUIRE=$(IFS=,; echo "${require[*]:-}")
echo "test.sh: tests needing ${CONVLSTM_REQUIRE:-nothing optional} must run (CONVLSTM_REQUIRE)"
(cd build && CONVLSTM_CTEST_SKIP=1 ctest --output-on-failure -j"${JOBS:-2}" "$@")

if [ "${CONVLSTM_SANITIZE:-1}" != 0 ] && [ $# -eq 0 ]; then
  echo "test.sh: sanitizer build (ASan, UBSan, LSan) in build-sanitize/"
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONVLSTM_SANITIZE=ON >/dev/null
  cmake --build build-sanitize -j"${JOBS:-2}" --target convlstm convlstm_tests convlstm_fuzz_replay >/dev/null
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  OMP_NUM_THREADS=1 ./build-sanitize/convlstm_tests "~[slow]~[mpi]~[skipcheck]" --rng-seed 1 --warn NoTests
  for t in config dataset radar; do
    ./build-sanitize/convlstm_fuzz_replay "$t" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t"
  done
  OMP_NUM_THREADS=1 bash tests/cli/e2e_test.sh build-sanitize/convlstm configs/default.yaml
  echo "test.sh: sanitizer pass clean"
fi

if [ "${CONVLSTM_FUZZ_SECONDS:-30}" != 0 ] && [ $# -eq 0 ]; then
  echo "test.sh: fuzzing, ${CONVLSTM_FUZZ_SECONDS:-30} s per target (build-fuzz/)"
  bash scripts/fuzz.sh "${CONVLSTM_FUZZ_SECONDS:-30}"
fi
