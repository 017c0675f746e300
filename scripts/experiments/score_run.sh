#!/usr/bin/env bash
# The experiments' scoring: score_run.sh RUN DATA NAME evaluates RUN/latest.h5 on the dataset DATA at 0.5, 1, 2
# and 5 mm/h against persistence and optical flow, with BOOTSTRAP (1000) block-bootstrap replicates, and
# writes RUN/NAME.csv, RUN/NAME.json and the printed table RUN/NAME.txt.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: score_run.sh RUN DATA NAME" >&2; exit 2; }
cd "$(dirname "$0")/../.."
./build/convlstm evaluate --checkpoint "$1"/latest.h5 --data "$2" --thresholds 0.5,1,2,5 \
  --baselines persistence,optical-flow,sprog --bootstrap "${BOOTSTRAP:-1000}" \
  --csv "$1/$3".csv --json "$1/$3".json > "$1/$3".txt
