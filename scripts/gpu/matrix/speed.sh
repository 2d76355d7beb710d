#!/usr/bin/env bash
# Conversion speed at real sizes on the GPU machine's quiet CPU (issue 9 item 6; docs/bench.md, GPU section):
# two CLI bundles (OLD and NEW, from scripts/gpu/matrix/bundle.sh) against each other and against onnxruntime's
# tool, all on one machine in one call:
#   1. BERT-large exported (export_arch.py: random weights, fp32, ~1.34 GB) unless SPEED_MODEL names one
#   2. onnxruntime's convert_float_to_float16(keep_io_types=False): onnx.load + convert + onnx.save, once
#   3. `castaway convert` file to file (default recipe), OLD and NEW interleaved, 3 runs each, under
#      `taskset -c 0,1` (a quiet 2-core stand-in), then unrestricted; outputs compared byte for byte
#   4. coldstart.sh (cold convert of gpt2-deep200-o14, whole process) for both bundles, 7 runs, taskset -c 0,1
# Run from the repository root there (coldstart.sh reads fixtures/models/), with node on PATH or CW_NODE set.
# usage: bash speed.sh OLD.cjs NEW.cjs      -> $OUT/speed.txt (SPEED_DIR/speed.txt when OUT is unset)
# env: SPEED_RUNS (3), SPEED_COLD_RUNS (7), SPEED_MODEL (an existing fp32 BERT-large: no export), SPEED_DIR (/tmp/speed),
#      SPEED_THREADS_SWAP=1: also NEW with the other thread setting ("newswap", interleaved): CASTAWAY_THREADS=2
#      under taskset -c 0,1 (where its default is 1 thread) and =1 on all cores (default: 8), to see what its
#      conversion threads (src/cli/fp16-threads.ts; fp16-worker.cjs beside the bundle) bring on 2 and 16 cores
set -uo pipefail
OLD=$(readlink -f "$1") NEW=$(readlink -f "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
NODE=${CW_NODE:-node}
D=${SPEED_DIR:-/tmp/speed}
RUNS=${SPEED_RUNS:-3}
LOG=${OUT:-$D}/speed.txt
mkdir -p "$D"; : > "$LOG"
say() { echo "$*" | tee -a "$LOG"; }
now() { date +%s.%N; }
since() { python3 -c 'import sys,time; print(f"{time.time() - float(sys.argv[1]):.3f}")' "$1"; }
say "speed.sh $(date -u +%FT%TZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); node $("$NODE" --version)"
say "old: $OLD ($(head -c 12 "$(dirname "$OLD")/engine-commit.txt" 2>/dev/null || echo '?')); new: $NEW ($(head -c 12 "$(dirname "$NEW")/engine-commit.txt" 2>/dev/null || echo '?'))"

M=${SPEED_MODEL:-}
if [ -z "$M" ]; then
  t0=$(now)
  python3 "$HERE/export_arch.py" bert-large "$D/bl" > "$D/export.log" 2>&1 || { say "export FAILED"; tail -n 20 "$D/export.log"; exit 1; }
  M=$D/bl/fp32.onnx
  say "export: $(since "$t0") s"
fi
say "model: $M, $(stat -c %s "$M") bytes"

# 2. onnxruntime's tool, as a user runs it file to file (the figures exclude Python's start)
python3 - "$M" "$D/ort.onnx" <<'EOF' 2>&1 | grep -v Warning | tee -a "$LOG"
import sys, time
import onnx
from onnxruntime.transformers.float16 import convert_float_to_float16
t0 = time.time(); m = onnx.load(sys.argv[1]); t1 = time.time()
m16 = convert_float_to_float16(m, keep_io_types=False); t2 = time.time()
onnx.save(m16, sys.argv[2]); t3 = time.time()
print(f"onnxruntime tool: load {t1 - t0:.2f} s, convert {t2 - t1:.2f} s, save {t3 - t2:.2f} s, total {t3 - t0:.2f} s")
EOF

# 3. castaway convert, OLD and NEW interleaved
declare -A T
for where in taskset all; do
  pre=(); [ $where = taskset ] && pre=(taskset -c 0,1)
  for r in $(seq 1 "$RUNS"); do
    for b in old new ${SPEED_THREADS_SWAP:+newswap}; do
      bundle=$OLD; [ $b != old ] && bundle=$NEW
      threads=(); [ $b = newswap ] && threads=(env "CASTAWAY_THREADS=$([ $where = taskset ] && echo 2 || echo 1)")
      t0=$(now)
      "${pre[@]}" "${threads[@]}" "$NODE" "$bundle" convert "$M" -o "$D/cw-$b.onnx" -q > "$D/cw-$b.log" 2>&1 || { say "castaway $b FAILED:"; tail -n 5 "$D/cw-$b.log" | tee -a "$LOG"; }
      s=$(since "$t0"); T[$where-$b]="${T[$where-$b]:-} $s"
      say "castaway convert $b, $where, run $r: $s s"
    done
  done
done
cmp -s "$D/cw-old.onnx" "$D/cw-new.onnx" && say "outputs: old and new identical ($(stat -c %s "$D/cw-new.onnx") bytes)" \
  || say "outputs: old $(stat -c %s "$D/cw-old.onnx") bytes, new $(stat -c %s "$D/cw-new.onnx") bytes: DIFFER"
# where NEW's time goes: one more run without -q, whose progress lines stamp each phase (reading = read +
# decode, planning and rewriting = plan, rewrite with the fp16 conversion, value_info and encode, writing = write,
# fsync and rename)
say "phases of one NEW run, all cores:"
"$NODE" "$NEW" convert "$M" -o "$D/cw-new.onnx" 2>&1 > /dev/null | tr '\r' '\n' | grep -v '^$' | tee -a "$LOG"
[ -n "${SPEED_THREADS_SWAP:-}" ] && { cmp -s "$D/cw-new.onnx" "$D/cw-newswap.onnx" && say "outputs: new with the other thread setting identical" || say "outputs: new with the other thread setting DIFFERS"; }
bytes=$(stat -c %s "$M")
for k in taskset-old taskset-new all-old all-new ${SPEED_THREADS_SWAP:+taskset-newswap all-newswap}; do
  python3 -c 'import statistics,sys; xs=[float(x) for x in sys.argv[2].split()]; m=statistics.median(xs); print(f"castaway {sys.argv[1]}: median {m:.2f} s ({int(sys.argv[3])/m/1e9:.2f} GB/s of fp32 file to file), runs {xs}")' "$k" "${T[$k]}" "$bytes" | tee -a "$LOG"
done

# 4. cold start, both bundles, 2 cores
say "coldstart (gpt2-deep200-o14), taskset -c 0,1:"
taskset -c 0,1 bash "$HERE/coldstart.sh" "$NODE" "${SPEED_COLD_RUNS:-7}" "old=$OLD" "new=$NEW" 2>&1 | tee -a "$LOG"
rm -f "$D/ort.onnx" "$D/cw-old.onnx" "$D/cw-new.onnx" "$D/cw-newswap.onnx"
