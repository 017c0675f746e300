#!/usr/bin/env bash
# A model for radars it never saw (docs/experiments.md): the model of configs/every_radar.yaml (S-PROG as its
# base) is
#   1. pre-trained on synthetic radar of many weather regimes (synth radar --kind cascade --regimes:
#      SYNTH_SEGMENTS series of 40 frames of 128x128, each with its own slope, lifetimes, motion, wet
#      fraction and rates; PRETRAIN_STEPS steps) -> runs/radars_pretrain,
#   2. trained from there on every 5-minute radar series at hand, at 1 km, each series' test hours held out
#      (FINETUNE_STEPS steps) -> runs/radars_all:
#        KNMI      trains on 2010-08-26 00:00-04:35, tests on 04:40-07:35 (765x700)
#        FMI       trains on 2016-09-28, tests on 2017-05-09 (1226x760, dBZ to mm/h by Marshall-Palmer)
#        MeteoSwiss trains on 2015-05-15, tests on 2016-07-11 (640x710)
#      Left out: OPERA 2018 (15-minute, 2 km), OPERA CIRRUS (13 frames: shorter than one 17-frame window),
#      BoM (10-minute), MRMS (2-minute): their time steps are not the model's 5 minutes.
#   3. trained from the same pre-training on all series but one, for each series in turn
#      -> runs/radars_without_{knmi,fmi,mch}: the honest measure of a radar never seen.
# Every model is scored on the test hours (runs/radars_all on all three, each left-out model on its own)
# against persistence, optical flow, S-PROG and a STEPS ensemble (STEPS_MEMBERS members; its mean is the
# `steps` source's deterministic scores), model - S-PROG with BOOTSTRAP block-bootstrap replicates; the tables
# come from scripts/experiments/every_radar_table.py. Nothing is tuned on any test hours: the config and the
# budgets were fixed before the first score. Wall times of each stage go to RUNS/radars_times.txt.
# RADAR_DIR overrides the radar folder; CONFIG another model (configs/every_radar_ensemble.yaml: the stochastic
# one, scored as an ensemble of STEPS_MEMBERS members); RUNS (runs) the folder of the runs; PRETRAIN_STEPS=0
# skips the pre-training; LEFT_OUT_ONLY=1 trains and scores only the models that leave a series out. Datasets
# already made are kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/experiments/radar_samples.sh
require_radar every_radar.sh knmi-20100826 fmi-pgm-20160928 fmi-pgm-20170509 mch-gif-20150515 mch-gif-20160711
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=${CONVLSTM:-./build/convlstm}
cfg=${CONFIG:-configs/every_radar.yaml}
out=${RUNS:-runs}
SYNTH_SEGMENTS=${SYNTH_SEGMENTS:-200}
PRETRAIN_STEPS=${PRETRAIN_STEPS:-15000}
FINETUNE_STEPS=${FINETUNE_STEPS:-1500}
STEPS_MEMBERS=${STEPS_MEMBERS:-10}
times=$out/radars_times.txt
mkdir -p "$out"
: >"$times"
stage() {  # stage NAME COMMAND...: runs it and logs its wall time
  local name=$1 t0=$SECONDS
  shift
  "$@"
  echo "$name: $((SECONDS - t0)) s" | tee -a "$times"
}

# 1. The data: every series at 1 km, mm/h.
f="$radar"/knmi-20100826/RAD_NL25_RAP_5min_20100826
import_all() {
  [ -f data/knmi_1km_train.h5 ] || $bin import --output data/knmi_1km_train.h5 "$f"{00,01,02,03}*.h5 "$f"04{0,1,2}*.h5 "$f"043*.h5
  [ -f data/knmi_1km_test.h5 ] || $bin import --output data/knmi_1km_test.h5 "$f"04{4,5}*.h5 "$f"{05,06,07}*.h5
  [ -f data/fmi_20160928_1km.h5 ] ||
    $bin import --format fmi --output data/fmi_20160928_1km.h5 "$radar"/fmi-pgm-20160928/*.pgm.gz
  [ -f data/fmi_20170509_1km.h5 ] ||
    $bin import --format fmi --output data/fmi_20170509_1km.h5 "$radar"/fmi-pgm-20170509/*.pgm.gz
  [ -f data/mch_20150515_1km.h5 ] || $bin import --format mch --output data/mch_20150515_1km.h5 "$radar"/mch-gif-20150515/*.gif
  [ -f data/mch_20160711_1km.h5 ] || $bin import --format mch --output data/mch_20160711_1km.h5 "$radar"/mch-gif-20160711/*.gif
  [ "$PRETRAIN_STEPS" = 0 ] || [ -f data/synth_regimes_128.h5 ] ||
    $bin synth radar --kind cascade --regimes --segments "$SYNTH_SEGMENTS" --frames $((40 * SYNTH_SEGMENTS)) \
      --size 128 128 --seed 11 --output data/synth_regimes_128.h5
}
stage "import and synthesise" import_all

# 2. Pre-training on the weather regimes.
init=(--set train.max_steps="$FINETUNE_STEPS")
if [ "$PRETRAIN_STEPS" != 0 ]; then
  stage "pre-training ($PRETRAIN_STEPS steps)" $bin train --config $cfg --set data.train=data/synth_regimes_128.h5 \
    --set data.weights=null --set output.dir=$out/radars_pretrain --set train.max_steps="$PRETRAIN_STEPS" \
    --set train.optimizer.lr=0.002 --set train.val_every=5000 --set output.checkpoint_every=1000
  init+=(--set train.init_from=$out/radars_pretrain/latest.h5)
fi

# 3. Every radar; then all but one, in turn.
declare -A train_of=([knmi]=data/knmi_1km_train.h5 [fmi]=data/fmi_20160928_1km.h5 [mch]=data/mch_20150515_1km.h5)
declare -A test_of=([knmi]=data/knmi_1km_test.h5 [fmi]=data/fmi_20170509_1km.h5 [mch]=data/mch_20160711_1km.h5)
[ "${LEFT_OUT_ONLY:-0}" = 1 ] ||
  stage "training on every radar ($FINETUNE_STEPS steps)" $bin train --config $cfg "${init[@]}" --set output.dir=$out/radars_all
for left in knmi fmi mch; do
  others=()
  for s in knmi fmi mch; do [ $s = "$left" ] || others+=("${train_of[$s]}"); done
  stage "training without $left ($FINETUNE_STEPS steps)" $bin train --config $cfg "${init[@]}" \
    --set "data.train=[${others[0]}, ${others[1]}]" --set 'data.weights=[1, 1]' --set output.dir=$out/radars_without_$left
done

# 4. Scores: model against persistence, optical flow, S-PROG and STEPS, model - S-PROG with intervals.
score() {  # score RUN DATA NAME
  $bin evaluate --checkpoint "$1"/latest.h5 --data "$2" --thresholds 0.5,1,2,5 \
    --baselines persistence,optical-flow,sprog,steps --members "$STEPS_MEMBERS" --reference sprog \
    --bootstrap "${BOOTSTRAP:-1000}" --csv "$1/$3".csv --json "$1/$3".json >"$1/$3".txt
}
for s in knmi fmi mch; do
  [ "${LEFT_OUT_ONLY:-0}" = 1 ] || stage "scoring every-radar model on $s" score $out/radars_all "${test_of[$s]}" eval_$s
  stage "scoring the model without $s on $s" score $out/radars_without_$s "${test_of[$s]}" eval_$s
done
if [ "${LEFT_OUT_ONLY:-0}" = 1 ]; then
  for s in knmi fmi mch; do
    echo "## $s, left out" && /usr/bin/python3 scripts/experiments/ensemble_table.py "$out/radars_without_$s/eval_$s.json" \
      --score crps --score brier@1 --score spread_skill --score csi@1
  done | tee "$out"/radars_tables.md
else
  /usr/bin/python3 scripts/experiments/every_radar_table.py "$out" | tee "$out"/radars_tables.md
fi
