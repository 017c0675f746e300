#!/usr/bin/env bash
# More real radar before the KNMI morning (docs/experiments.md): the conditioned
# model of configs/knmi_sample.yaml learns in three stages, each starting from the last checkpoint of the one
# before (train.init_from):
#   1. synthetic radar of the KNMI grid (104x104, 2,000 steps; the pre-training of scripts/experiments/knmi_experiment.sh,
#      reused from runs/knmi_pretrain when it is there),
#   2. two days of FMI composites (../shared/data/radar/fmi-pgm-20160928 and -20170509, 80 frames in two
#      segments, dBZ to mm/h by Marshall-Palmer, block-averaged to 4 km: 306x190), random 104x104 crops with
#      at least 5% wet pixels, 1,200 steps (runs/knmi4_fmi),
#   3. the 56 KNMI training frames, 1,200 steps, either on the 104x104 crop of the KNMI experiment
#      (runs/knmi4_fmi_knmi) or on random 104x104 crops of the whole composite at 4 km (runs/knmi4_fmi_whole).
# Every stage's last checkpoint, and the synthetic one, is scored on the 20 KNMI test windows (the same as
# scripts/experiments/knmi_experiment.sh's) and on the MeteoSwiss evening of 2016-07-11, which no stage trains on, with
# the same evaluate command. Stage lengths and the crops were fixed before the first run; nothing is tuned on
# either test series. RADAR_DIR overrides the radar folder, BOOTSTRAP (1000) the replicates.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/experiments/radar_samples.sh
require_radar knmi_other_radars.sh knmi-20100826 fmi-pgm-20160928 fmi-pgm-20170509 mch-gif-20160711
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
f="$radar"/knmi-20100826/RAD_NL25_RAP_5min_20100826
train_files=("$f"{00,01,02,03}*.h5 "$f"04{0,1,2}*.h5 "$f"043*.h5)
test_files=("$f"04{4,5}*.h5 "$f"{05,06,07}*.h5)
$bin import --output data/knmi_train.h5 --crop 224,160,416,416 --downsample 4 "${train_files[@]}"
$bin import --output data/knmi_test.h5 --crop 224,160,416,416 --downsample 4 "${test_files[@]}"
$bin import --output data/knmi4_whole_train.h5 --crop 0,0,764,700 --downsample 4 "${train_files[@]}"
$bin import --format fmi --output data/fmi4_train.h5 --crop 0,0,1224,760 --downsample 4 \
  "$radar"/fmi-pgm-20160928/*.pgm.gz "$radar"/fmi-pgm-20170509/*.pgm.gz
$bin import --format mch --output data/mch_20160711_4km.h5 --crop 0,0,640,704 --downsample 4 \
  "$radar"/mch-gif-20160711/*.gif
[ -f data/synth_knmi_grid.h5 ] || $bin synth radar --output data/synth_knmi_grid.h5 --frames 1500 --size 104 104 --seed 7
cfg=configs/knmi_sample.yaml
if [ ! -f runs/knmi_pretrain/latest.h5 ]; then
  $bin train --config $cfg --set data.train=data/synth_knmi_grid.h5 --set data.val_fraction=0.1 \
    --set output.dir=runs/knmi_pretrain --set train.max_steps=2000 --set train.val_every=500 --set train.val_batches=20
fi
crops=(--set 'data.random_crop=[104,104]' --set data.crop_min_wet=0.05)
$bin train --config $cfg --set output.dir=runs/knmi4_fmi --set data.train=data/fmi4_train.h5 "${crops[@]}" \
  --set train.init_from=runs/knmi_pretrain/latest.h5
$bin train --config $cfg --set output.dir=runs/knmi4_fmi_knmi --set train.init_from=runs/knmi4_fmi/latest.h5
$bin train --config $cfg --set output.dir=runs/knmi4_fmi_whole --set data.train=data/knmi4_whole_train.h5 \
  "${crops[@]}" --set train.init_from=runs/knmi4_fmi/latest.h5
for model in knmi_pretrain knmi4_fmi knmi4_fmi_knmi knmi4_fmi_whole; do
  bash scripts/experiments/score_run.sh runs/$model data/knmi_test.h5 evaluation
  bash scripts/experiments/score_run.sh runs/$model data/mch_20160711_4km.h5 eval_mch
  /usr/bin/python3 scripts/plot_metrics.py --eval runs/$model/evaluation.json --eval-out runs/$model/skill.png \
    --train runs/$model/metrics.csv --train-out runs/$model/training.png
done
