#!/usr/bin/env bash
# End-to-end: synth tiny data, train 20 steps, reload the checkpoint with info, and the error paths' exit statuses.
# Usage: e2e_test.sh path/to/convlstm path/to/configs/default.yaml
set -u
bin=$1
default_config=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect STATUS MAX_STDERR_LINES command...: exit status and a short message.
expect() {
  local want=$1 lines=$2
  shift 2
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" -eq "$want" ] || fail "$* exited $got, expected $want: $(cat "$work/err")"
  local n
  n=$(wc -l <"$work/err")
  [ "$n" -le "$lines" ] || fail "$* printed $n lines on stderr (at most $lines): $(cat "$work/err")"
}

# wait_for_rows FILE N: until FILE (a running training's metrics.csv) has N lines, for at most 60 s.
wait_for_rows() {
  for _ in $(seq 1 3000); do
    [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.02
  done
  fail "$1 never reached $2 lines"
}

# convlstm config: the defaults (every key with its type and help, which parse back), a config's effective
# values, and its usage errors.
expect 0 0 "$bin" config --defaults
grep -q "^  max_steps: ~ .*# null or integer: " "$work/out" || fail "config --defaults: no max_steps line: $(head -c 300 "$work/out")"
cp "$work/out" "$work/defaults.yaml"
expect 0 0 "$bin" config --config "$work/defaults.yaml"
expect 0 0 "$bin" config --config "$default_config" --set train.max_steps=7
grep -q "^  max_steps: 7$" "$work/out" || fail "config --config --set: max_steps not 7"
expect 2 3 "$bin" config
expect 2 3 "$bin" config --config "$default_config" --set train.max_step=7
grep -q "train.max_steps" "$work/err" || fail "config: a misspelt key gets no suggestion: $(cat "$work/err")"
expect 0 5 "$bin" synth radar --output "$work/tiny.h5" --frames 80 --size 16 16 --seed 3
expect 0 0 "$bin" info "$work/tiny.h5"
grep -q "80 x 1 x 16 x 16 (uint16)" "$work/out" || fail "info does not show the dataset shape: $(cat "$work/out")"
expect 0 5 "$bin" synth radar --kind cascade --output "$work/cascade.h5" --frames 12 --size 32 32 --seed 4
expect 0 0 "$bin" info "$work/cascade.h5" --statistics 10
grep -q "spectral slope" "$work/out" || fail "info --statistics printed no slope: $(cat "$work/out")"
expect 2 3 "$bin" synth radar --kind cascade --output "$work/c2.h5" --frames 12 --segments 13
expect 2 3 "$bin" synth radar --output "$work/c3.h5" --frames 12 --regimes
expect 2 3 "$bin" info "$work/cascade.h5" --statistics 2

common=(--set "data.train=$work/tiny.h5" --set data.t_in=3 --set data.t_out=3 --set model.patch=2
        --set "model.layers=[{filters: 16, k: 3}]" --set train.batch_size=2 --set train.max_steps=20
        --set train.val_every=10 --set train.val_batches=2 --set output.checkpoint_every=10
        --set "output.dir=$work/run")
"$bin" --log-level warn train --config "$default_config" "${common[@]}" 2>"$work/err" || fail "train: $(cat "$work/err")"
for f in latest.h5 best.h5 metrics.csv config.yaml train.log; do
  [ -s "$work/run/$f" ] || fail "train did not write $f"
done
[ "$(wc -l <"$work/run/metrics.csv")" -eq 21 ] || fail "metrics.csv should have a header and 20 rows"
# At the default log level the effective config goes to train.log, not to stderr (one line names it).
"$bin" train --config "$default_config" "${common[@]}" --set train.max_steps=2 --set "output.dir=$work/run_log" \
  2>"$work/err" || fail "train: $(cat "$work/err")"
[ "$(wc -l <"$work/err")" -le 12 ] || fail "train printed $(wc -l <"$work/err") lines on stderr: $(cat "$work/err")"
grep -q "effective config in $work/run_log/config.yaml" "$work/err" || fail "stderr does not name config.yaml"
grep -q "^model:" "$work/run_log/train.log" || fail "train.log does not hold the effective config"
head -1 "$work/run/metrics.csv" | grep -q "^step,epoch,train_loss,val_loss,lr,grad_norm,seconds,seq_per_s" ||
  fail "metrics.csv columns: $(head -1 "$work/run/metrics.csv")"
expect 0 0 "$bin" info "$work/run/latest.h5"
grep -q "step       20" "$work/out" || fail "info does not show the checkpoint step: $(cat "$work/out")"
grep -q "parameters" "$work/out" || fail "info does not show the parameter count"
grep -q "forecaster input extrapolation+gaps, residual output" "$work/out" ||
  fail "info does not show the default model's extrapolation input and residual output: $(head -3 "$work/out")"

# Resume continues from step 20 to 24.
"$bin" --log-level warn train --config "$default_config" "${common[@]}" --set train.max_steps=24 \
  --resume "$work/run/latest.h5" 2>"$work/err" || fail "resume: $(cat "$work/err")"
[ "$(wc -l <"$work/run/metrics.csv")" -eq 25 ] || fail "resumed metrics.csv should have 24 rows"

# predict and evaluate on the trained checkpoint.
expect 0 10 "$bin" --log-level warn predict --checkpoint "$work/run/best.h5" --input "$work/tiny.h5" \
  --output "$work/pred.h5" --png "$work/png" --gif "$work/pred.gif"
[ -s "$work/pred.h5" ] && [ -s "$work/png/forecast_0000.png" ] && [ -s "$work/pred.gif" ] || fail "predict outputs missing"
expect 0 3 "$bin" --log-level warn evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" \
  --csv "$work/eval.csv" --json "$work/eval.json" --thresholds 0.5,2
grep -q "^mean" "$work/out" || fail "evaluate printed no mean row: $(cat "$work/out")"
grep -q "^persistence,mean" "$work/eval.csv" || fail "eval.csv has no persistence row"
# Intervals, and the plots drawn from them (scripts/plot_metrics.py, Debian's python3-matplotlib).
expect 0 3 "$bin" --log-level warn evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" \
  --baselines persistence --bootstrap 50 --csv "$work/evalb.csv" --json "$work/evalb.json" --thresholds 0.5,2
grep -q "^model-persistence,mean" "$work/evalb.csv" || fail "bootstrap csv has no difference row"
grep -q "model - persistence with 90% block-bootstrap intervals" "$work/out" ||
  fail "evaluate --bootstrap printed no intervals: $(head -3 "$work/out")"
plot=$(dirname "$default_config")/../scripts/plot_metrics.py
/usr/bin/python3 -c "import matplotlib" 2>/dev/null ||
  fail "python3-matplotlib is missing (scripts/setup.sh --test installs it): the plot script cannot be tested"
for f in "$work/evalb.json" "$work/evalb.csv" "$work/eval.json"; do
  /usr/bin/python3 "$plot" --eval "$f" --eval-out "$work/skill.png" --train "$work/run/metrics.csv" \
    --train-out "$work/training.png" >"$work/out" 2>&1 || fail "plot_metrics.py on $f: $(cat "$work/out")"
  [ -s "$work/skill.png" ] && [ -s "$work/training.png" ] || fail "plot_metrics.py wrote no PNG for $f"
  case "$f" in *.json) [ -s "$work/probabilistic.png" ] || fail "plot_metrics.py drew no reliability diagram for $f" ;; esac
  rm -f "$work/skill.png" "$work/training.png" "$work/probabilistic.png"
done
/usr/bin/python3 "$plot" --eval "$work/tiny.h5" --out "$work/bad.png" >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 1 ] && [ ! -e "$work/bad.png" ] && [ "$(wc -l <"$work/err")" -le 3 ] ||
  fail "plot_metrics.py on a non-evaluation file: exit $rc, $(cat "$work/err")"
/usr/bin/python3 "$plot" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || fail "plot_metrics.py without arguments: exit $rc (expected 2)"
expect 2 3 "$bin" evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" --thresholds 0.5,abc
expect 2 3 "$bin" evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" --baselines rover
# evaluate --forecast: convlstm's own predictions of every window, scored as another system's forecast.
expect 0 10 "$bin" --log-level warn predict --checkpoint "$work/run/best.h5" --input "$work/tiny.h5" \
  --output "$work/every.h5" --all-windows
expect 0 3 "$bin" --log-level warn evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" \
  --baselines persistence --forecast "again=$work/every.h5" --json "$work/evalf.json"
grep -q '"again"' "$work/evalf.json" || fail "evaluate --forecast scored no 'again' source"
expect 2 3 "$bin" evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" --forecast again
expect 1 3 "$bin" evaluate --checkpoint "$work/run/best.h5" --data "$work/tiny.h5" --forecast "x=$work/none.nc"
grep -q "none.nc" "$work/err" || fail "a missing forecast file is not named: $(cat "$work/err")"
expect 1 3 "$bin" predict --checkpoint "$work/tiny.h5" --input "$work/tiny.h5" --output "$work/bad.h5"
[ ! -e "$work/bad.h5" ] || fail "a failed predict left an output file"

# SIGINT: the step finishes, latest.h5 is written, exit status 130.
"$bin" --log-level warn train --config "$default_config" "${common[@]}" --set train.max_steps=100000 \
  --set "output.dir=$work/sig" 2>"$work/err" &
pid=$!
wait_for_rows "$work/sig/metrics.csv" 3
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT: exit status $rc, expected 130: $(cat "$work/err")"
"$bin" info "$work/sig/latest.h5" >"$work/out" || fail "SIGINT left no readable latest.h5"

# kill -9 mid-run, then --resume: the same losses as an uninterrupted run (the checkpoint is atomic and the
# window order depends only on seed and epoch).
fault=(--set train.max_steps=120 --set output.checkpoint_every=7 --set train.val_every=1000)
"$bin" --log-level warn train --config "$default_config" "${common[@]}" "${fault[@]}" \
  --set "output.dir=$work/whole" 2>"$work/err" || fail "uninterrupted run: $(cat "$work/err")"
"$bin" --log-level warn train --config "$default_config" "${common[@]}" "${fault[@]}" \
  --set "output.dir=$work/killed" 2>"$work/err" &
pid=$!
wait_for_rows "$work/killed/metrics.csv" 40
kill -9 "$pid" 2>/dev/null || fail "the run to kill had already finished"
wait "$pid" 2>/dev/null
[ "$(wc -l <"$work/killed/metrics.csv")" -lt 121 ] || fail "the run to kill had already finished"
"$bin" --log-level warn train --config "$default_config" "${common[@]}" "${fault[@]}" \
  --set "output.dir=$work/killed" --resume "$work/killed/latest.h5" 2>"$work/err" ||
  fail "resume after kill -9: $(cat "$work/err")"
cut -d, -f1,3 "$work/whole/metrics.csv" >"$work/whole.losses"
cut -d, -f1,3 "$work/killed/metrics.csv" >"$work/killed.losses"
cmp -s "$work/whole.losses" "$work/killed.losses" ||
  fail "losses after kill -9 and resume differ: $(diff "$work/whole.losses" "$work/killed.losses" | head -5)"

# A full disk (here a file-size limit smaller than a checkpoint) while checkpointing: exit 1 with one line
# naming the file, the previous latest.h5 untouched and readable, no temporary file left behind.
cp "$work/run/latest.h5" "$work/latest.before"
(
  ulimit -f 64
  "$bin" --log-level warn train --config "$default_config" "${common[@]}" --set train.max_steps=26 \
    --resume "$work/run/latest.h5" >"$work/out" 2>"$work/err"
  echo $? >"$work/rc"
)
[ "$(cat "$work/rc")" -eq 1 ] || fail "checkpoint on a full disk: exit $(cat "$work/rc"): $(cat "$work/err")"
[ "$(wc -l <"$work/err")" -le 3 ] || fail "checkpoint on a full disk: long message: $(cat "$work/err")"
grep -q "run/[a-z]*\.h5" "$work/err" || fail "checkpoint on a full disk: file not named: $(cat "$work/err")"
cmp -s "$work/run/latest.h5" "$work/latest.before" || fail "a failed checkpoint write changed latest.h5"
"$bin" info "$work/run/latest.h5" >/dev/null || fail "latest.h5 unreadable after a failed checkpoint write"
[ -z "$(find "$work/run" -name '*.tmp*' -o -name '*.partial*')" ] || fail "temporary files left: $(ls "$work/run")"
# The same for a dataset: synth under the limit leaves neither the output nor a partial file.
(ulimit -f 64; "$bin" synth radar --output "$work/big.h5" --frames 400 --size 64 64 >/dev/null 2>"$work/err"; echo $? >"$work/rc")
[ "$(cat "$work/rc")" -eq 1 ] || fail "synth on a full disk: exit $(cat "$work/rc"): $(cat "$work/err")"
[ ! -e "$work/big.h5" ] && [ ! -e "$work/big.h5.partial" ] || fail "synth on a full disk left a file"

# Errors: usage and config errors exit 2, data errors 1; one short line naming the file or key.
printf 'train:\n  max_step: 3\n' >"$work/typo.yaml"
expect 2 3 "$bin" train --config "$work/typo.yaml"
grep -q "typo.yaml:2: train.max_step: unknown key (did you mean 'train.max_steps'?)" "$work/err" || fail "typo message: $(cat "$work/err")"
expect 2 3 "$bin" train --config "$work/missing.yaml"
expect 2 3 "$bin" train --config "$default_config" --set data.t_in=0
expect 2 3 "$bin" train
expect 2 3 "$bin" frobnicate
expect 1 3 "$bin" train --config "$default_config" --set "data.train=$work/none.h5" --set "output.dir=$work/r2"
grep -q "none.h5" "$work/err" || fail "missing data file not named: $(cat "$work/err")"
echo "not hdf5" >"$work/bad.h5"
expect 1 3 "$bin" info "$work/bad.h5"
grep -q "not an HDF5 file" "$work/err" || fail "bad file message: $(cat "$work/err")"
[ ! -e "$work/r2" ] || [ -z "$(ls -A "$work/r2")" ] || fail "a failed run left files in its output directory"

# bench: one JSON object with the documented keys; the peak alone; bf16 refused where the CPU (here: oneDNN told
# to stop at AVX-512 without BF16) cannot run it, naming the ISA.
tiny_bench=(--set "bench.frame=[1, 16, 16]" --set data.t_in=3 --set data.t_out=2 --set model.patch=2
            --set "model.layers=[{filters: 16, k: 3}]" --set train.batch_size=2)
expect 0 0 "$bin" --log-level warn bench --config "$default_config" "${tiny_bench[@]}" --steps 2 --warmup 1 --json
for key in train_step_s infer_s peak_rss_mib gflops peak_fraction; do
  grep -q "\"$key\": [0-9]" "$work/out" || fail "bench --json has no $key: $(cat "$work/out")"
done
expect 0 0 "$bin" bench --peak --threads 1
grep -q "GFLOP/s" "$work/out" || fail "bench --peak printed no rate: $(cat "$work/out")"
expect 2 3 "$bin" bench --steps 2
# bench --nowcast: a cascade baseline's forecast timed on the last frames of a dataset.
expect 0 0 "$bin" bench --nowcast steps --data "$work/tiny.h5" --members 3 --t-out 2 --steps 1 --json
for key in motion_s setup_s forecast_s peak_rss_mib; do
  grep -q "\"$key\": [0-9]" "$work/out" || fail "bench --nowcast --json has no $key: $(cat "$work/out")"
done
expect 2 3 "$bin" bench --nowcast steps
expect 1 3 "$bin" bench --nowcast sprog --data "$work/none.h5"
expect 2 3 "$bin" bench --config "$default_config" --precision fp16
expect 2 3 env ONEDNN_MAX_CPU_ISA=AVX512_CORE "$bin" bench --config "$default_config" "${tiny_bench[@]}" \
  --precision bf16
grep -q "AVX512-BF16" "$work/err" || fail "bf16 refusal does not name the ISA: $(cat "$work/err")"
expect 2 3 env ONEDNN_MAX_CPU_ISA=AVX512_CORE "$bin" train --config "$default_config" "${common[@]}" \
  --set train.precision=bf16 --set "output.dir=$work/r3"
echo "e2e: 1 passed, 0 failed"
