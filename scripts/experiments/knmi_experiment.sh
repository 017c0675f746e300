#!/usr/bin/env bash
# The real-radar experiment of docs/experiments.md ("KNMI, 60 minutes at 4 km") on the KNMI sample
# (../shared/data/radar/knmi-20100826, 92 five-minute frames of 2010-08-26 00:00-07:35): 5 frames in, 12 out (60 minutes).
#
# Split, in time: frames 00:00-04:35 (56) train, frames 04:40-07:35 (36) test. A window is 17 frames, so the
# test hours hold exactly 20 windows (stride 1), none of which touches a training frame; training comes first
# in time, as it would for a forecaster. Both models of configs/knmi_sample.yaml, the advection-conditioned one
# (runs/knmi) and the paper's (runs/knmi_paper), are pre-trained on synthetic radar of the same grid (104x104,
# 5 minutes, mm/h; 2,000 steps) and fine-tuned on the 56 frames (1,200 steps); their last checkpoints are
# scored against persistence and optical flow (OpenCV's DIS) on the 20 test windows at 0.5, 1, 2 and 5 mm/h,
# with 90% block-bootstrap intervals; skill and training plots go into each run directory; the conditioned
# model forecasts from the last raw files (PNG frames and a GIF). Nothing here is tuned on the test hours.
# Extra arguments go to both fine-tuning runs, e.g. --set train.max_steps=600. RADAR_DIR overrides the radar
# folder; PRETRAIN_STEPS (2000) and BOOTSTRAP (1000) the pre-training length and the replicates.
# VARIANTS=1 also runs the two variants of the conditioned model docs/experiments.md reports: no pre-training
# (runs/knmi4_nopre), and no pre-training on the whole composite at 4 km with random 104x104 crops
# (runs/knmi4_whole); both scored on the same test windows.
set -euo pipefail
cd "$(dirname "$0")/../.."
radar=${RADAR_DIR:-../shared/data/radar}/knmi-20100826
[ -d "$radar" ] || { echo "knmi_experiment.sh: $radar not found (the sample lives in ../shared beside the checkout)" >&2; exit 1; }
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
pretrain_steps=${PRETRAIN_STEPS:-2000}
f="$radar"/RAD_NL25_RAP_5min_20100826
crop=(--crop 224,160,416,416 --downsample 4)
$bin import --output data/knmi_train.h5 "${crop[@]}" "$f"{00,01,02,03}*.h5 "$f"04{0,1,2}*.h5 "$f"043*.h5
$bin import --output data/knmi_test.h5 "${crop[@]}" "$f"04{4,5}*.h5 "$f"{05,06,07}*.h5
[ -f data/synth_knmi_grid.h5 ] || $bin synth radar --output data/synth_knmi_grid.h5 --frames 1500 --size 104 104 --seed 7
paper=(--set model.forecaster_input=none --set model.output=sigmoid)
for model in knmi knmi_paper; do
  extra=()
  [ "$model" = knmi_paper ] && extra=("${paper[@]}")
  $bin train --config configs/knmi_sample.yaml "${extra[@]}" --set data.train=data/synth_knmi_grid.h5 \
    --set data.val_fraction=0.1 --set output.dir=runs/${model}_pretrain --set train.max_steps="$pretrain_steps" \
    --set train.val_every=500 --set train.val_batches=20
  $bin train --config configs/knmi_sample.yaml "${extra[@]}" --set output.dir=runs/$model \
    --set train.init_from=runs/${model}_pretrain/latest.h5 "$@"
  $bin evaluate --checkpoint runs/$model/latest.h5 --data data/knmi_test.h5 --thresholds 0.5,1,2,5 \
    --baselines persistence,optical-flow,sprog --bootstrap "${BOOTSTRAP:-1000}" \
    --csv runs/$model/evaluation.csv --json runs/$model/evaluation.json | tee runs/$model/evaluation.txt
  /usr/bin/python3 scripts/plot_metrics.py --eval runs/$model/evaluation.json --eval-out runs/$model/skill.png \
    --train runs/$model/metrics.csv --train-out runs/$model/training.png
done
# An operational-style forecast straight from the raw files: the last 5 of the morning.
$bin predict --checkpoint runs/knmi/latest.h5 --input "$f*.h5" \
  --output runs/knmi/forecast.h5 --png runs/knmi/forecast --gif runs/knmi/forecast.gif
if [ "${VARIANTS:-0}" = 1 ]; then
  $bin import --output data/knmi4_whole_train.h5 --crop 0,0,764,700 --downsample 4 \
    "$f"{00,01,02,03}*.h5 "$f"04{0,1,2}*.h5 "$f"043*.h5
  $bin train --config configs/knmi_sample.yaml --set output.dir=runs/knmi4_nopre "$@"
  $bin train --config configs/knmi_sample.yaml --set output.dir=runs/knmi4_whole \
    --set data.train=data/knmi4_whole_train.h5 --set 'data.random_crop=[104,104]' --set data.crop_min_wet=0.05 "$@"
  for model in knmi4_nopre knmi4_whole; do
    $bin evaluate --checkpoint runs/$model/latest.h5 --data data/knmi_test.h5 --thresholds 0.5,1,2,5 \
      --baselines persistence,optical-flow,sprog --bootstrap "${BOOTSTRAP:-1000}" \
      --csv runs/$model/evaluation.csv --json runs/$model/evaluation.json | tee runs/$model/evaluation.txt
  done
fi
