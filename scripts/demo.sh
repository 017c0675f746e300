#!/usr/bin/env bash
# The main job on the embedded default data, from nothing: installs the dependencies and builds
# (scripts/setup.sh), makes the synthetic radar data, trains configs/default.yaml (the advection-conditioned
# ConvLSTM) into runs/default/, forecasts from the last frames (runs/default/forecast.h5, .png, .gif),
# evaluates the model against persistence and optical flow on an independent synthetic series with 90%
# block-bootstrap intervals (runs/default/evaluation.csv, .json, .txt and the table on stdout), and plots the
# skill and the training curves (runs/default/skill.png, training.png). Then the stochastic model
# (configs/ensemble.yaml, into runs/ensemble/): trained on the fair CRPS of 2 members, a 20-member ensemble of
# every window of the same series scored beside STEPS' 20 members, S-PROG and the default model's forecasts
# (runs/ensemble/evaluation.txt, .json), and an ensemble forecast with exceedance probabilities
# (runs/ensemble/forecast.h5, forecast/*.png). SKIP_ENSEMBLE=1 leaves it out.
# Extra arguments go to `convlstm train`, e.g. scripts/demo.sh --set train.max_steps=200
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
# 3,000 frames as 10 independent series of 300 (seeds 11-20): more weather regimes than one long series.
if [ ! -f data/synth_radar_train.h5 ]; then
  ./build/convlstm synth radar --output data/synth_radar_train.h5 --frames 3000 --size 64 64 --seed 11 --segments 10
fi
./build/convlstm train --config configs/default.yaml "$@"
./build/convlstm info runs/default/best.h5
./build/convlstm predict --checkpoint runs/default/best.h5 --input data/synth_radar_train.h5 \
  --output runs/default/forecast.h5 --png runs/default/forecast --gif runs/default/forecast.gif
# An independent series (another seed), never seen in training, for the evaluation: 1,200 frames, a window
# every 5 frames (238 windows).
if [ ! -f data/synth_radar_eval.h5 ]; then
  ./build/convlstm synth radar --output data/synth_radar_eval.h5 --frames 1200 --size 64 64 --seed 2
fi
./build/convlstm evaluate --checkpoint runs/default/best.h5 --data data/synth_radar_eval.h5 --stride 5 \
  --baselines persistence,optical-flow,sprog,steps --bootstrap 1000 \
  --csv runs/default/evaluation.csv --json runs/default/evaluation.json | tee runs/default/evaluation.txt
/usr/bin/python3 scripts/plot_metrics.py --eval runs/default/evaluation.json --eval-out runs/default/skill.png \
  --train runs/default/metrics.csv --train-out runs/default/training.png
[ "${SKIP_ENSEMBLE:-0}" = 1 ] && exit 0
./build/convlstm train --config configs/ensemble.yaml
./build/convlstm predict --checkpoint runs/default/best.h5 --input data/synth_radar_eval.h5 --all-windows \
  --stride 5 --output runs/default/eval_forecasts.h5
./build/convlstm evaluate --checkpoint runs/ensemble/best.h5 --data data/synth_radar_eval.h5 --stride 5 \
  --baselines persistence,optical-flow,sprog,steps --members 20 --reference steps \
  --forecast deterministic=runs/default/eval_forecasts.h5 --bootstrap 1000 \
  --csv runs/ensemble/evaluation.csv --json runs/ensemble/evaluation.json | tee runs/ensemble/evaluation.txt
/usr/bin/python3 scripts/experiments/ensemble_table.py runs/ensemble/evaluation.json --score crps --score brier@1 \
  --score spread_skill --score power_ratio@4px
./build/convlstm predict --checkpoint runs/ensemble/best.h5 --input data/synth_radar_train.h5 --members 20 \
  --probabilities 0.5,1,2,5,10 --output runs/ensemble/forecast.h5 --png runs/ensemble/forecast
