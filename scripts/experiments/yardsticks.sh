#!/usr/bin/env bash
# The model against the field's yardsticks (docs/experiments.md "Against S-PROG and the STEPS ensemble"):
# persistence, optical flow, S-PROG and a 20-member STEPS ensemble scored on the demo's independent series
# (the model of scripts/demo.sh, runs/default/best.h5) and on the KNMI 1 km test hours (the model of
# scripts/experiments/knmi_whole_composite.sh, runs/knmi_1km/latest.h5, when it is there), with 1,000
# block-bootstrap replicates; then the per-lead tables of the model against each baseline.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
table=scripts/experiments/yardstick_table.py
[ -f runs/default/best.h5 ] && [ -f data/synth_radar_eval.h5 ] ||
  { echo "yardsticks.sh: runs/default/best.h5 or data/synth_radar_eval.h5 missing: run scripts/demo.sh first" >&2; exit 1; }
time $bin evaluate --checkpoint runs/default/best.h5 --data data/synth_radar_eval.h5 --stride 5 \
  --thresholds 0.5,1,2,5,10,30 --baselines persistence,optical-flow,sprog,steps --bootstrap "${BOOTSTRAP:-1000}" \
  --json runs/default/yardsticks.json >runs/default/yardsticks.txt
/usr/bin/python3 $table runs/default/yardsticks.json --score csi@1 --score mse --score fss@1/9px --score crps
if [ -f runs/knmi_1km/latest.h5 ] && [ -f data/knmi_1km_test.h5 ]; then
  time $bin evaluate --checkpoint runs/knmi_1km/latest.h5 --data data/knmi_1km_test.h5 --thresholds 0.5,1,2,5 \
    --baselines persistence,optical-flow,sprog,steps --bootstrap "${BOOTSTRAP:-1000}" \
    --json runs/knmi_1km/yardsticks.json >runs/knmi_1km/yardsticks.txt
  /usr/bin/python3 $table runs/knmi_1km/yardsticks.json --score csi@1 --score mse --score fss@1/9px --score crps \
    --score brier@1
else
  echo "yardsticks.sh: no KNMI 1 km model (scripts/experiments/knmi_whole_composite.sh makes it); skipped"
fi
