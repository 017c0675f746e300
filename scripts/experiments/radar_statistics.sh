#!/usr/bin/env bash
# How real and synthetic radar differ (docs/experiments.md "Synthetic radar that looks like radar"): the
# spectral slope, wet fraction, wet-rate quantiles and per-scale lag correlations (`convlstm info
# --statistics`) of 30 frames each of the KNMI morning at 1 km, the OPERA evening at 2 km (24 frames, all it
# has), the demo's cell series and the cascade generator (`synth radar --kind cascade`, 64x64, seed 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=./build/convlstm
radar=${RADAR_DIR:-../shared/data/radar}
mkdir -p data
[ -f data/knmi_1km_train.h5 ] || $bin import --output data/knmi_1km_train.h5 "$radar"/knmi-20100826/RAD_NL25_RAP_5min_20100826{00,01,02,03}*.h5 \
  "$radar"/knmi-20100826/RAD_NL25_RAP_5min_2010082604{0,1,2,3}*.h5
[ -f data/opera_20180824.h5 ] || $bin import --output data/opera_20180824.h5 "$radar"/opera-20180824/*.hdf
[ -f data/synth_radar_eval.h5 ] || $bin synth radar --output data/synth_radar_eval.h5 --frames 1200 --size 64 64 --seed 2
$bin --log-level warn synth radar --kind cascade --output data/synth_cascade.h5 --frames 60 --size 64 64 --seed 1
for f in data/knmi_1km_train.h5:30 data/opera_20180824.h5:24 data/synth_radar_eval.h5:30 data/synth_cascade.h5:30; do
  $bin info "${f%%:*}" --statistics "${f##*:}"
done
