#!/usr/bin/env bash
# File-to-file `castaway convert` of one large model (issue 9 item 6: the matrix's BERT-large export, 1.3 GB
# fp32; goal < 2 s), N runs of each build given, interleaved so that host drift hits all alike, first with
# every core and then under `taskset -c 0,1` (a 2-core stand-in). Prints, per label and core set, the median
# wall time, user and system CPU, and GB/s of the fp32 file; checks every output equals the first label's.
# usage: speed.sh NODE MODEL N LABEL=BUNDLE.cjs[:VAR=VALUE] ...
#   e.g. bash matrix/speed.sh /tmp/gpu/bin/node /tmp/mx/bert-large/fp32.onnx 5 \
#          before=/tmp/gw-old/castaway.cjs after=/tmp/gw/castaway.cjs after-1thread=/tmp/gw/castaway.cjs:CASTAWAY_THREADS=1
# A bundle's conversion threads need fp16-worker.cjs beside it (bundle.sh writes both); without it the CLI
# converts in one thread. Outputs go to $OUTDIR (default /tmp/speed-out), removed at the end.
set -uo pipefail
NODE=$1 MODEL=$2 N=$3; shift 3
OUTDIR=${OUTDIR:-/tmp/speed-out}
mkdir -p "$OUTDIR"
SIZE=$(stat -c %s "$MODEL")
declare -A W U S
for cores in all 0,1; do
  for i in $(seq 1 "$N"); do
    for spec in "$@"; do
      label=${spec%%=*} rest=${spec#*=}; bundle=${rest%%:*} envset=""; [[ $rest == *:* ]] && envset=${rest#*:}
      pin=(); [[ $cores != all ]] && pin=(taskset -c "$cores")
      key="$label@$cores"
      # shellcheck disable=SC2086
      line=$( { /usr/bin/time -f "%e %U %S" env $envset "${pin[@]}" "$NODE" "$bundle" convert "$MODEL" -o "$OUTDIR/$label.onnx" -q > /dev/null; } 2>&1 | tail -1)
      read -r w u s <<< "$line"
      W[$key]="${W[$key]:-} $w" U[$key]="${U[$key]:-} $u" S[$key]="${S[$key]:-} $s"
    done
  done
  first=${1%%=*}
  for spec in "$@"; do
    label=${spec%%=*}
    cmp -s "$OUTDIR/$first.onnx" "$OUTDIR/$label.onnx" || echo "WARNING: $label's output differs from $first's"
  done
done
for cores in all 0,1; do
  for spec in "$@"; do
    key="${spec%%=*}@$cores"
    python3 -c '
import statistics, sys
label, size, w, u, s = sys.argv[1], int(sys.argv[2]), *[[float(x) for x in a.split()] for a in sys.argv[3:]]
m = statistics.median(w)
print(f"{label}: median {m:.2f} s wall ({size / 1e9 / m:.2f} GB/s of the fp32 file), user {statistics.median(u):.2f} s, sys {statistics.median(s):.2f} s; runs {w}")
' "$key" "$SIZE" "${W[$key]}" "${U[$key]}" "${S[$key]}"
  done
done
rm -rf "$OUTDIR"
