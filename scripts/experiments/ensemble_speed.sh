#!/usr/bin/env bash
# The stochastic model's costs (docs/performance.md "Ensembles"):
#   1. a training step with 2 members against the same network's deterministic step on the same batch of 8
#      sequences (configs/bench/ensemble.yaml, ensemble_deterministic.yaml), ROUNDS alternating rounds of
#      `convlstm bench`, the ratio of the medians;
#   2. a 20-member, 12-lead ensemble of the whole 765x700 KNMI composite from its last 5 raw files
#      (runs/knmi_1km_ensemble/latest.h5, made by scripts/experiments/ensembles.sh), wall time and peak RSS by
#      GNU time, beside the deterministic model's single forecast (runs/knmi_1km/latest.h5).
# RADAR_DIR overrides the radar folder, ROUNDS (3) the rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=${CONVLSTM:-./build/convlstm}
out=runs/ensemble_speed
mkdir -p $out
: >$out/bench.txt
for r in $(seq "${ROUNDS:-3}"); do
  for c in ensemble ensemble_deterministic; do
    $bin bench --config configs/bench/$c.yaml --steps 5 --json 2>/dev/null |
      /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print('$c', d['train_step_s'], d['infer_s'])" >>$out/bench.txt
  done
done
/usr/bin/python3 - "$out/bench.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {c: statistics.median(float(r[1]) for r in rows if r[0] == c) for c in ("ensemble", "ensemble_deterministic")}
print(f"training step, batch of 8 sequences at 64x64: 2 members {med['ensemble']:.3f} s, deterministic "
      f"{med['ensemble_deterministic']:.3f} s, ratio {med['ensemble'] / med['ensemble_deterministic']:.2f}")
PY
f=${RADAR_DIR:-../shared/data/radar}/knmi-20100826/RAD_NL25_RAP_5min_20100826
if [ -f runs/knmi_1km_ensemble/latest.h5 ] && ls "$f"07*.h5 >/dev/null 2>&1; then
  for run in "knmi_1km 1" "knmi_1km_ensemble 20"; do
    set -- $run
    /usr/bin/time -f "$1, $2 member(s): %e s wall, peak RSS %M KiB" -a -o $out/predict.txt \
      $bin predict --checkpoint runs/$1/latest.h5 --input "$f"07{1,2,3}*.h5 --members "$2" \
      --output $out/whole_$1.h5 2>/dev/null
  done
  cat $out/predict.txt
fi
