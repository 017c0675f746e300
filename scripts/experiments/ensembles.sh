#!/usr/bin/env bash
# The stochastic ConvLSTM's ensembles against the yardsticks (docs/experiments.md "Ensembles"): on the demo's
# independent synthetic series (configs/ensemble.yaml, beside the deterministic default of scripts/demo.sh)
# and on the KNMI 1 km test hours (configs/knmi_1km_ensemble.yaml, beside configs/knmi_1km_crops.yaml's
# deterministic model), each scored by `evaluate --members` next to persistence, optical flow, S-PROG and a
# STEPS ensemble of as many members, with block-bootstrap intervals; then the per-lead tables (CRPS, Brier at
# 1 and 5 mm/h, spread/skill, FSS of the 1 mm/h probability, rank histograms, sharpness). Models already
# trained are reused. MEMBERS (20 synthetic, 10 KNMI), BOOTSTRAP (1000) and RADAR_DIR override.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=${CONVLSTM:-./build/convlstm}  # CONVLSTM: another binary (e.g. a copy while rebuilding)
table=scripts/experiments/ensemble_table.py
boot=${BOOTSTRAP:-1000}
scores=(--score crps --score brier@1 --score brier@5 --score spread_skill --score fss@1/9px
        --score power_ratio@4px --score power_ratio@16px)
# The deterministic model's forecasts of every evaluated window go in as a forecast from files (--forecast
# deterministic=...), so its differences from the ensemble are paired window by window like the baselines'.
# 1. Synthetic: the demo's data and default model, and the stochastic preset.
[ -f data/synth_radar_train.h5 ] ||
  $bin synth radar --output data/synth_radar_train.h5 --frames 3000 --size 64 64 --seed 11 --segments 10
[ -f data/synth_radar_eval.h5 ] || $bin synth radar --output data/synth_radar_eval.h5 --frames 1200 --size 64 64 --seed 2
[ -f runs/default/best.h5 ] || $bin train --config configs/default.yaml
[ -f runs/ensemble/best.h5 ] || time $bin train --config configs/ensemble.yaml
$bin predict --checkpoint runs/default/best.h5 --input data/synth_radar_eval.h5 --all-windows --stride 5 \
  --output runs/default/eval_forecasts.h5
time $bin evaluate --checkpoint runs/ensemble/best.h5 --data data/synth_radar_eval.h5 --stride 5 \
  --thresholds 0.5,1,2,5,10 --baselines persistence,optical-flow,sprog,steps --members "${MEMBERS:-20}" \
  --forecast deterministic=runs/default/eval_forecasts.h5 --reference steps --bootstrap "$boot" \
  --json runs/ensemble/ensembles.json | tee runs/ensemble/ensembles.txt
/usr/bin/python3 $table runs/ensemble/ensembles.json "${scores[@]}"
# 2. KNMI 1 km: the test hours, whole composite.
radar=${RADAR_DIR:-../shared/data/radar}/knmi-20100826
if [ ! -d "$radar" ]; then
  echo "ensembles.sh: $radar not found (the sample lives in ../shared beside the checkout); KNMI skipped" >&2
  exit 0
fi
f="$radar"/RAD_NL25_RAP_5min_20100826
[ -f data/knmi_1km_train.h5 ] || $bin import --output data/knmi_1km_train.h5 "$f"{00,01,02,03}*.h5 "$f"04{0,1,2}*.h5 "$f"043*.h5
[ -f data/knmi_1km_test.h5 ] || $bin import --output data/knmi_1km_test.h5 "$f"04{4,5}*.h5 "$f"{05,06,07}*.h5
[ -f runs/knmi_1km/latest.h5 ] || $bin train --config configs/knmi_1km_crops.yaml
[ -f runs/knmi_1km_ensemble/latest.h5 ] || time $bin train --config configs/knmi_1km_ensemble.yaml
$bin predict --checkpoint runs/knmi_1km/latest.h5 --input data/knmi_1km_test.h5 --all-windows \
  --output runs/knmi_1km/eval_forecasts.h5
time $bin evaluate --checkpoint runs/knmi_1km_ensemble/latest.h5 --data data/knmi_1km_test.h5 \
  --thresholds 0.5,1,2,5 --baselines persistence,optical-flow,sprog,steps --members "${MEMBERS_KNMI:-10}" \
  --forecast deterministic=runs/knmi_1km/eval_forecasts.h5 --reference steps --bootstrap "$boot" \
  --json runs/knmi_1km_ensemble/ensembles.json | tee runs/knmi_1km_ensemble/ensembles.txt
/usr/bin/python3 $table runs/knmi_1km_ensemble/ensembles.json "${scores[@]}"
