#!/usr/bin/env bash
# Train on crops, forecast the whole composite (docs/experiments.md, "KNMI, 60 minutes at 1 km, trained on crops"):
# the KNMI sample (../shared/data/radar/knmi-20100826) imported at its native 1 km grid (765x700), split in
# time as in scripts/experiments/knmi_experiment.sh (00:00-04:35 train, 04:40-07:35 test: 20 windows of 17 frames that
# touch no training frame). configs/knmi_1km_crops.yaml trains the advection-conditioned model on random
# 128x128 crops; then
#   1. `predict` forecasts the whole composite from the last 5 raw files (timed, with peak RSS, by GNU time
#      when installed, else by bash's clock),
#   2. `evaluate` scores it on the whole grid of the test hours against persistence and optical flow,
#   3. scripts/bench_vs_pytorch.py --infer-shape 768 700 times the network's inference at the whole grid's
#      padded shape beside PyTorch's (when python3-torch is installed).
# Extra arguments go to `convlstm train`. RADAR_DIR overrides the radar folder, BOOTSTRAP (1000) the replicates.
set -euo pipefail
cd "$(dirname "$0")/../.."
radar=${RADAR_DIR:-../shared/data/radar}/knmi-20100826
[ -d "$radar" ] || { echo "knmi_whole_composite.sh: $radar not found (the sample lives in ../shared beside the checkout)" >&2; exit 1; }
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
run=runs/knmi_1km
f="$radar"/RAD_NL25_RAP_5min_20100826
$bin import --output data/knmi_1km_train.h5 "$f"{00,01,02,03}*.h5 "$f"04{0,1,2}*.h5 "$f"043*.h5
$bin import --output data/knmi_1km_test.h5 "$f"04{4,5}*.h5 "$f"{05,06,07}*.h5
$bin train --config configs/knmi_1km_crops.yaml "$@"
# 1. The whole composite from the raw files (the last 5 of the morning), 12 leads.
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f "predict: %e s wall, peak RSS %M KiB" -o $run/predict_time.txt)
start=$(date +%s%N)
"${timer[@]}" $bin predict --checkpoint $run/latest.h5 --input "$f*.h5" --output $run/forecast_whole.h5
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "predict (whole 765x700 composite, raw files to written forecast): $((ms / 1000)).$(printf %03d $((ms % 1000))) s" >> $run/predict_time.txt
cat $run/predict_time.txt
# 2. Skill on the whole grid.
$bin evaluate --checkpoint $run/latest.h5 --data data/knmi_1km_test.h5 --thresholds 0.5,1,2,5 \
  --baselines persistence,optical-flow,sprog --bootstrap "${BOOTSTRAP:-1000}" \
  --csv $run/evaluation.csv --json $run/evaluation.json | tee $run/evaluation.txt
/usr/bin/python3 scripts/plot_metrics.py --eval $run/evaluation.json --eval-out $run/skill.png \
  --train $run/metrics.csv --train-out $run/training.png
# 3. The network's inference at the whole grid's shape, beside PyTorch's.
if /usr/bin/python3 -c "import torch, h5py, yaml" 2>/dev/null; then
  /usr/bin/python3 scripts/bench_vs_pytorch.py configs/knmi_1km_crops.yaml --infer-shape 768 700 --set train.loss=mse --threads 2 \
    --json $run/bench_vs_pytorch.json | tee $run/bench_vs_pytorch.txt
else
  echo "knmi_whole_composite.sh: python3-torch not installed, PyTorch comparison skipped" >&2
fi
