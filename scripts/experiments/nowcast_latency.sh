#!/usr/bin/env bash
# The forecast service's latency (docs/performance.md "The forecast service"): the KNMI morning's 765x700
# files (04:40-07:35, 36 of them) replayed into a watched folder as fast as the service keeps up (each file
# copied in once the forecast of the one before is on disk), `convlstm nowcast` forecasting each from the last
# 5 frames; the latency of every forecast from its file's arrival to the forecast on disk, as the service logs
# it, summed up as median and 95th percentile. Runs the deterministic model (runs/knmi_1km/latest.h5) and the
# 20-member ensemble (runs/knmi_1km_ensemble/latest.h5) when they are there (scripts/experiments/ensembles.sh
# makes them), the ensemble on the first ENSEMBLE_FILES (12) files only. RADAR_DIR overrides the radar folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=${CONVLSTM:-./build/convlstm}
radar=${RADAR_DIR:-../shared/data/radar}/knmi-20100826
[ -d "$radar" ] || { echo "nowcast_latency.sh: $radar not found" >&2; exit 1; }
files=("$radar"/RAD_NL25_RAP_5min_20100826{0440,0445,045,05,06,07}*.h5)
out=runs/nowcast_latency
mkdir -p $out
replay() {  # replay NAME CHECKPOINT MEMBERS [FILES]
  local dir=$out/$1 log=$out/$1.log
  local feed=("${files[@]:0:${4:-${#files[@]}}}")
  rm -rf "$dir" && mkdir -p "$dir/watch" "$dir/forecasts"
  $bin nowcast --checkpoint "$2" --watch "$dir/watch" --output-dir "$dir/forecasts" --members "$3" \
    --settle 0.2 --poll 0.5 2>"$log" &
  local pid=$! n=0
  for f in "${feed[@]}"; do
    cp "$f" "$dir/watch/"
    n=$((n + 1))
    if [ $n -ge 5 ]; then  # wait for its forecast (at most 300 s)
      for _ in $(seq 3000); do
        [ "$(ls "$dir/forecasts" | grep -vc partial)" -ge $((n - 4)) ] && break
        sleep 0.1
      done
    fi
  done
  kill -TERM $pid && wait $pid
  /usr/bin/python3 - "$log" "$1" <<'PY'
import re, statistics, sys
lat = [float(m.group(1)) for m in re.finditer(r"forecast written to .*?, ([0-9.]+) s after", open(sys.argv[1]).read())]
lat.sort()
p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
print(f"{sys.argv[2]}: {len(lat)} forecasts, latency median {statistics.median(lat):.2f} s, 95th percentile {p95:.2f} s, "
      f"max {lat[-1]:.2f} s")
PY
}
[ -f runs/knmi_1km/latest.h5 ] && replay deterministic runs/knmi_1km/latest.h5 1 | tee $out/summary.txt
[ -f runs/knmi_1km_ensemble/latest.h5 ] && replay ensemble20 runs/knmi_1km_ensemble/latest.h5 20 "${ENSEMBLE_FILES:-12}" | tee -a $out/summary.txt
