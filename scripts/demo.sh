#!/usr/bin/env bash
# The main job on the embedded default data, from nothing: installs the dependencies and builds
# (scripts/setup.sh), makes the synthetic radar data, and trains configs/default.yaml into runs/default/.
# Extra arguments go to `convlstm train`, e.g. scripts/demo.sh --set train.max_steps=200
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
if [ ! -f data/synth_radar.h5 ]; then
  ./build/convlstm synth radar --output data/synth_radar.h5 --frames 3000 --size 64 64 --seed 1
fi
./build/convlstm train --config configs/default.yaml "$@"
./build/convlstm info runs/default/best.h5
