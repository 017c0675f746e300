#!/usr/bin/env bash
# Reproduces Table 1 of Shi et al. 2015 on Moving MNIST: generates 10,000 training, 2,000 validation and 3,000
# test sequences, trains each model with early stopping (configs/moving_mnist_paper.yaml: RMSProp, lr 1e-3,
# batch 16, patience 6 validations of 500 steps), and reports the test cross-entropy per sequence.
#
# Usage: scripts/experiments/reproduce_moving_mnist.sh [MODEL...]        (default: conv-128-64-64)
#   conv-128-64-64   ConvLSTM (5x5)-5x5-128-5x5-64-5x5-64   paper: 3670.85   (configs/moving_mnist_paper.yaml)
#   conv-128-128     ConvLSTM (5x5)-5x5-128-5x5-128         paper: 3733.56
#   conv-256         ConvLSTM (5x5)-5x5-256                 paper: 3887.94
#   fc-lstm          FC-LSTM-2048-2048                      paper: 4832.49   (patch 64: one 4096-wide "pixel",
#                                                                              1x1 kernels = fully connected)
# Environment: MAX_HOURS (default 0: no limit) stops training after that many hours with a checkpoint (SIGTERM);
# run the script again to continue exactly where it stopped. Each run appends to runs/moving_mnist/results.md:
# the model, steps, epochs, training time so far, best validation cross-entropy, test cross-entropy of the best
# checkpoint (of the latest before the first validation), and whether training finished (early stopping or 50
# epochs) or was paused. The curve so far is
# each run's metrics.csv (train and validation cross-entropy per sequence, per step).
set -euo pipefail
cd "$(dirname "$0")/../.."
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(conv-128-64-64)
# Each model is the paper config with these keys changed, one key=value a line.
overrides() {
  case "$1" in
    conv-128-64-64) ;;
    conv-128-128) echo "model.layers=[{filters: 128, k: 5}, {filters: 128, k: 5}]" ;;
    conv-256) echo "model.layers=[{filters: 256, k: 5}]" ;;
    fc-lstm) printf '%s\n' "model.patch=64" "model.layers=[{filters: 2048, k: 1}, {filters: 2048, k: 1}]" ;;
    *) echo "reproduce_moving_mnist.sh: unknown model $1 (conv-128-64-64, conv-128-128, conv-256, fc-lstm)" >&2
       exit 2 ;;
  esac
}

for model in "${models[@]}"; do overrides "$model" >/dev/null; done  # unknown names stop here

bash scripts/setup.sh
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-passive}"
bin=./build/convlstm
out=runs/moving_mnist
mkdir -p "$out" data

[ -f data/mnist_digits.h5 ] || bash scripts/fetch_mnist.sh
for split in "train 10000 1" "val 2000 2" "test 3000 3"; do
  set -- $split
  [ -f "data/moving_mnist_$1.h5" ] ||
    $bin synth moving-mnist --output "data/moving_mnist_$1.h5" --sequences "$2" --seed "$3"
done

budget=$(awk -v h="${MAX_HOURS:-0}" 'BEGIN { printf "%d", h * 3600 }')
start=$(date +%s)
[ -f "$out/results.md" ] || printf '| model | steps | epochs | training s | best val CE | test CE | status | machine |\n|---|---|---|---|---|---|---|---|\n' > "$out/results.md"
for model in "${models[@]}"; do
  run="$out/$model"
  keys=$(overrides "$model")
  args=(--config configs/moving_mnist_paper.yaml --set "output.dir=$run")
  while IFS= read -r kv; do [ -n "$kv" ] && args+=(--set "$kv"); done <<<"$keys"
  [ -f "$run/latest.h5" ] && args+=(--resume "$run/latest.h5")
  status=finished
  limit=()
  if [ "$budget" -gt 0 ]; then
    left=$((budget - ($(date +%s) - start)))
    [ "$left" -le 60 ] && { echo "reproduce_moving_mnist.sh: time budget used up before $model"; break; }
    limit=(timeout --signal=TERM --kill-after=600 "$left")
  fi
  rc=0
  "${limit[@]}" $bin train "${args[@]}" || rc=$?
  if [ "$rc" -eq 130 ] || [ "$rc" -eq 124 ]; then status=paused
  elif [ "$rc" -ne 0 ]; then exit "$rc"; fi
  # The curve so far: steps, epochs and time from metrics.csv, the best validation loss, the test score.
  # (the seconds column restarts with each resumed process: add up the pieces)
  read -r steps epochs seconds best < <(awk -F, 'NR > 1 { s = $1; e = $2; if ($7 + 0 < t) acc += t; t = $7 + 0
      if ($4 != "" && (b == "" || $4 + 0 < b + 0)) b = $4 }
    END { printf "%s %s %.0f %s\n", s, e, acc + t, (b == "" ? "-" : b) }' "$run/metrics.csv")
  # The test score of the best checkpoint (the latest one before the first validation).
  scored=best
  [ -f "$run/best.h5" ] || scored=latest
  $bin evaluate --checkpoint "$run/$scored.h5" --data data/moving_mnist_test.h5 --stride 20 --baselines none \
    --json "$run/test.json" >/dev/null
  test_ce="$(grep -o '"bce_per_sequence": *[0-9.e+-]*' "$run/test.json" | head -n 1 | awk '{ print $2 }') ($scored)"
  machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "| $model | $steps | $epochs | $seconds | $best | ${test_ce:--} | $status | $machine |" | tee -a "$out/results.md"
  [ "$status" = paused ] && break
done
