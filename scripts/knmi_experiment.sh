#!/usr/bin/env bash
# The README's real-radar experiment on the KNMI sample (../shared/data/radar/knmi-20100826): import the first six
# hours for training and the last hour and a half for testing; pre-train configs/knmi_sample.yaml's model on
# synthetic radar of the same grid (104x104, 5 minutes, mm/h), fine-tune it on the six hours (runs/knmi), and for
# comparison train the same model on the six hours alone (runs/knmi_scratch); evaluate both against persistence
# and optical flow (OpenCV's DIS) on the test hours at 0.5, 1, 2, 5 and 10 mm/h; forecast from the last raw files
# (PNG frames and a GIF). Extra arguments go to the fine-tuning run, e.g. --set train.max_steps=600.
set -euo pipefail
cd "$(dirname "$0")/.."
radar=${RADAR_DIR:-../shared/data/radar}/knmi-20100826
[ -d "$radar" ] || { echo "knmi_experiment.sh: $radar not found (the sample lives in ../shared beside the checkout)" >&2; exit 1; }
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
crop=(--crop 224,160,416,416 --downsample 4)
$bin import --output data/knmi_train.h5 "${crop[@]}" "$radar"/RAD_NL25_RAP_5min_20100826{00,01,02,03,04,05}*.h5
$bin import --output data/knmi_test.h5 "${crop[@]}" "$radar"/RAD_NL25_RAP_5min_20100826{06,07}*.h5
# Pre-training: 1,500 synthetic frames, 2,000 steps; then the six hours, from those parameters.
$bin synth radar --output data/synth_knmi_grid.h5 --frames 1500 --size 104 104 --seed 7
$bin train --config configs/knmi_sample.yaml --set data.train=data/synth_knmi_grid.h5 \
  --set output.dir=runs/knmi_pretrain --set train.max_steps=2000 --set train.val_every=500 --set train.val_batches=20
$bin train --config configs/knmi_sample.yaml --set train.init_from=runs/knmi_pretrain/latest.h5 "$@"
$bin train --config configs/knmi_sample.yaml --set output.dir=runs/knmi_scratch
for run in runs/knmi runs/knmi_scratch; do
  $bin evaluate --checkpoint $run/best.h5 --data data/knmi_test.h5 --thresholds 0.5,1,2,5,10 \
    --baselines persistence,optical-flow --csv $run/evaluation.csv --json $run/evaluation.json
done
# An operational-style forecast straight from the raw files: the last 5 of the morning.
$bin predict --checkpoint runs/knmi/best.h5 --input "$radar/RAD_NL25_RAP_5min_20100826*.h5" \
  --output runs/knmi/forecast.h5 --png runs/knmi/forecast --gif runs/knmi/forecast.gif
