#!/usr/bin/env bash
# A re-check of an earlier matrix run with a newer engine (docs/gpu-matrix.md, run 3), on the GPU machine, from
# the bundle's copy there (/tmp/gw). Only what changed is timed:
#   recheck.sh start              prepare.sh in the background (bf16 for gpt2), its castaway runs waiting for
#                                 the staged node (split-stage.sh unpacks it after the first parts)
#   recheck.sh chain              in the background: profile, then time 0, 1, 2 (budgets CW_BUDGETS, default
#                                 "150 130 110 110"), then touches $W/recheck.done; `wait S` waits for it
# and with `source /tmp/gpu/env.sh` done, after prepare.sh:
#   recheck.sh diff OLD_DIR       graph_stats.py for every architecture, then graph_compare.py against OLD_DIR's
#                                 graphs-ARCH.json -> $R/compare-ARCH.json (changed cells, the models to time)
#   recheck.sh profile [BUDGET]   bench.cjs profile of those models + graph_stats.py (graphs as onnxruntime ran them)
#   recheck.sh time K [BUDGET]    bench.cjs time of those models, load order rotated by K thirds of their number
#   recheck.sh pack NAME          $R -> $OUT/NAME.tar.gz
# Every step stops starting new architectures after BUDGET seconds (default 400). gpt2's bf16 models are timed
# whether or not they changed (CW_ALWAYS, default for gpt2: its bf16 models).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"
step=$1; shift
models() { python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["time"]))' "$R/compare-$1.json" 2>/dev/null; }
spent() { [ $(( $(date +%s) - start )) -gt "$1" ]; }
case $step in
start)
  printf '#!/bin/sh\nwhile [ ! -x /tmp/gpu/bin/node ]; do sleep 1; done\nexec /tmp/gpu/bin/node "$@"\n' > "$W/nodewait"
  chmod +x "$W/nodewait"
  CW_NODE=$W/nodewait CW_BUNDLE=$HERE/.. CW_BF16_ARCHS=gpt2 setsid nohup bash "$HERE/prepare.sh" > /tmp/prepare.log 2>&1 < /dev/null &
  sleep 1; echo "prepare.sh started"
  ;;
chain)
  read -r b1 b2 b3 b4 <<< "${CW_BUDGETS:-150 130 110 110}"
  rm -f "$W/recheck.done"
  setsid nohup bash -c "bash '$0' profile $b1; bash '$0' time 0 $b2; bash '$0' time 1 $b3; bash '$0' time 2 $b4; touch '$W/recheck.done'" > /tmp/recheck.log 2>&1 < /dev/null &
  sleep 1; echo "chain started"
  ;;
wait)
  for i in $(seq 1 "$1"); do [ -f "$W/recheck.done" ] && break; sleep 1; done
  cat /tmp/recheck.log; [ -f "$W/recheck.done" ] && echo "chain done" || echo "chain still running"
  ;;
diff)
  old=$1
  for i in $(seq 1 300); do [ -f "$W/prepare.done" ] && break; sleep 2; done
  [ -f "$W/prepare.done" ] || echo "prepare.sh not done after 600 s: comparing what exists"
  printf '%s\n' $ARCHS | xargs -P 10 -I{} sh -c "[ -d '$W/{}' ] && python3 '$HERE/graph_stats.py' '$W/{}' > /dev/null"
  for a in $ARCHS; do
    [ -f "$W/$a/graphs.json" ] || { echo "$a: no graphs"; continue; }
    always=""; [ "$a" = gpt2 ] && always=${CW_ALWAYS:-cw-bf16-default,cw-bf16-norms}
    python3 "$HERE/graph_compare.py" "$old/graphs-$a.json" "$W/$a/graphs.json" --always "$always" > "$R/compare-$a.json"
    cp "$W/$a/graphs.json" "$R/graphs-$a.json"
    for f in meta.json cw.jsonl; do [ -f "$W/$a/$f" ] && cp "$W/$a/$f" "$R/$a-$f"; done
    python3 -c 'import json,sys; c=json.load(open(sys.argv[2])); print(sys.argv[1], "changed:", json.dumps(c["changed"])[:600], "| new:", c["new"], "| time:", " ".join(c["time"]))' "$a" "$R/compare-$a.json"
  done
  ;;
profile)
  budget=${1:-400}
  for a in $ARCHS; do
    m=$(models "$a"); [ -n "$m" ] || continue
    spent "$budget" && { echo "budget spent: $a not profiled"; continue; }
    t0=$(date +%s)
    CW_MODELS="$m" timeout 150 node "$HERE/bench.cjs" "$W/$a" profile "$R/profile-$a.json" 2>&1 | grep -v "^\s*$" | cut -c1-300
    { python3 "$HERE/graph_stats.py" "$W/$a" > /dev/null && cp "$W/$a/graphs.json" "$R/graphs-$a.json"; } &
    echo "$a profiled: $(( $(date +%s) - t0 )) s"
  done
  wait
  ;;
time)
  k=$1 budget=${2:-400}
  for a in $ARCHS; do
    m=$(models "$a"); [ -n "$m" ] || continue
    spent "$budget" && { echo "budget spent: $a not timed (k $k)"; continue; }
    n=$(wc -w <<< "$m") rot=$(( k * $(wc -w <<< "$m") / 3 ))
    t0=$(date +%s)
    CW_MODELS="$m" timeout 150 node "$HERE/bench.cjs" "$W/$a" time "$R/time-$a-r$rot.json" "$rot" 2>&1 | grep -v "^\s*$" | cut -c1-400
    echo "$a: $n models, rot $rot: $(( $(date +%s) - t0 )) s"
  done
  ;;
pack)
  (cd "$R" && tar czf "$OUT/$1.tar.gz" ./*.json ./*.jsonl 2>/dev/null); ls -la "$OUT"
  ;;
*) sed -n 2,17p "$0"; exit 2 ;;
esac
echo "$step done in $(( $(date +%s) - start )) s"
