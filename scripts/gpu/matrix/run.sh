#!/usr/bin/env bash
# The matrix's GPU steps on the GPU machine, after prepare.sh (run from the repository root there, with
# `source /tmp/gpu/env.sh` done). Every step stops starting new architectures after BUDGET seconds
# (default 420), so that what it measured is packed into $OUT before the device call's 10-minute limit.
#   run.sh time ROT [BUDGET]     bench.cjs time for each architecture, load order rotated by ROT
#                                -> $OUT/time-rROT.tar.gz (time-ARCH-rROT.json)
#   run.sh profile [BUDGET]      bench.cjs profile + graph_stats.py for each architecture, Castaway's and
#                                onnxruntime's conversion logs -> $OUT/profile.tar.gz
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
step=$1; shift
case $step in
time)
  rot=$1 budget=${2:-420}
  for a in $ARCHS; do
    [ $(( $(date +%s) - start )) -gt "$budget" ] && { echo "budget spent: $a not run (rot $rot)"; continue; }
    [ -f "$W/$a/fp32.onnx" ] || { echo "$a: no model"; continue; }
    t0=$(date +%s)
    timeout 130 node "$HERE/bench.cjs" "$W/$a" time "$R/time-$a-r$rot.json" "$rot" 2>&1 | grep -v "^\s*$" | cut -c1-400
    echo "$a rot $rot: $(( $(date +%s) - t0 )) s"
  done
  (cd "$R" && tar czf "$OUT/time-r$rot.tar.gz" time-*-r$rot.json)
  ;;
profile)
  budget=${1:-420}
  for a in $ARCHS; do
    [ $(( $(date +%s) - start )) -gt "$budget" ] && { echo "budget spent: $a not profiled"; continue; }
    [ -f "$W/$a/fp32.onnx" ] || continue
    t0=$(date +%s)
    timeout 130 node "$HERE/bench.cjs" "$W/$a" profile "$R/profile-$a.json" 2>&1 | grep -v "^\s*$" | tail -n 3 | cut -c1-300
    # CPU only: runs beside the next architecture's profile (kernel counts do not depend on host load)
    { python3 "$HERE/graph_stats.py" "$W/$a" && cp "$W/$a/graphs.json" "$R/graphs-$a.json"; rm -rf "$W/$a/optimized"; } &
    echo "$a profiled: $(( $(date +%s) - t0 )) s"
  done
  wait
  for a in $ARCHS; do
    for f in meta.json ort-tool.json ort-opt.json cw.jsonl; do [ -f "$W/$a/$f" ] && cp "$W/$a/$f" "$R/$a-$f"; done
    cat "$W/$a.log" "$W/$a/tool.log" "$W/$a/opt.log" 2>/dev/null | grep -v Warning | tail -n 40 > "$R/$a-prepare.log"
  done
  (cd "$R" && tar czf "$OUT/profile.tar.gz" profile-*.json graphs-*.json *-meta.json *-ort-*.json *-cw.jsonl *-prepare.log 2>/dev/null)
  ;;
*) sed -n 2,9p "$0"; exit 2 ;;
esac
echo "$step done in $(( $(date +%s) - start )) s"
