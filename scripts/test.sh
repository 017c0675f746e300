#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing (scripts/setup.sh), builds in build/, runs ctest.
# Extra arguments go to ctest, e.g. scripts/test.sh -R conv2d   or   scripts/test.sh -LE slow
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
cd build
ctest --output-on-failure -j"${JOBS:-2}" "$@"
