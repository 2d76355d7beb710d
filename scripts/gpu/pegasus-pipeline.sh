#!/usr/bin/env bash
# Pegasus-large fp32 vs fp16 on the GPU machine (see docs/gpu-pegasus-large.md for the device calls).
# Run from the repository root there. Work files in $CW_WORK (default /tmp/cw), models in $CW_WORK/m.
#
#   pegasus-pipeline.sh prepare        export enc/dec at opset 14 (torch), onnxruntime's fp16 baselines
#                                      (python); meant for the background: setsid nohup ... &
#   pegasus-pipeline.sh wait [S]       wait up to S seconds (default 600) for prepare
#   pegasus-pipeline.sh convert        Castaway's conversions (staged node + .gpu-bundle/castaway.cjs)
#   pegasus-pipeline.sh stats FILE     nodes, Casts, fp16 weight share, onnx.checker of every model -> FILE
#   pegasus-pipeline.sh bench enc|dec 1x128|8x512 FILE [reuse]   time every variant with the CUDA EP -> FILE
#                                      (JSON); Castaway's models paired with onnxruntime's by round;
#                                      "reuse": outputs into buffers allocated once (--reuse-outputs)
#   pegasus-pipeline.sh profile enc|dec B S OUT VARIANT...   onnxruntime's profiler: kernel time and count by
#                                      op type -> OUT (JSON lines)
set -uo pipefail
W=${CW_WORK:-/tmp/cw}
M=$W/m
B=${CW_BUNDLE:-$PWD/.gpu-bundle}
# token ids below the exported config's vocab_size (PegasusConfig() default: 50265), from export.json
VOCAB=${CW_VOCAB:-$(python3 -c "import json; print(json.load(open('$M/export.json'))['vocab'])" 2>/dev/null || echo 50265)}
# ort-io16-copy: onnxruntime's fp16-I/O model loaded a second time (a hard link), the A/A control that shows
# how far two identical models' timings differ in this run
# cw-novi-io16: Castaway's fp16-I/O model written without value_info (--no-value-info), to show what the
# inferred shapes are worth
VARIANTS=${CW_VARIANTS:-"fp32 ort-default ort-io16 ort-block cw-default cw-default-io16 cw-block cw-norms cw-norms-io16 cw-novi-io16 ort-io16-copy"}

step=${1:-}
shift || true
case "$step" in
prepare)
  mkdir -p "$M"
  cp scripts/gpu/*.py scripts/gpu/matrix/ort_common.py "$W/"
  rm -f "$W/prepare.done" "$W/prepare.failed"
  {
    echo "prepare started $(date -u +%T)"
    python3 "$W/export_pegasus.py" "$M" && python3 "$W/ort_fp16.py" "$M" enc dec
  } > "$W/prepare.log" 2>&1
  if [ $? -eq 0 ]; then echo "prepare done $(date -u +%T)" >> "$W/prepare.log"; touch "$W/prepare.done"; else touch "$W/prepare.failed"; fi
  ;;
wait)
  for _ in $(seq 1 "${1:-600}"); do
    [ -f "$W/prepare.done" ] && { tail -n 12 "$W/prepare.log"; exit 0; }
    [ -f "$W/prepare.failed" ] && { echo "prepare FAILED:"; tail -n 60 "$W/prepare.log"; exit 1; }
    sleep 1
  done
  echo "prepare still running:"; tail -n 20 "$W/prepare.log"; exit 1
  ;;
convert)
  : > "$W/convert.log"
  rc=0
  for m in enc dec; do
    ln -f "$M/$m-ort-io16.onnx" "$M/$m-ort-io16-copy.onnx" || rc=1
    for v in cw-default cw-default-io16 cw-block cw-norms cw-norms-io16 cw-novi-io16; do
      case $v in
        cw-novi-io16) args=(--recipe "$B/recipes/ort-default-io16.json" --no-value-info) ;;
        cw-default) args=(--recipe "$B/recipes/ort-default.json") ;;
        cw-default-io16) args=(--recipe "$B/recipes/ort-default-io16.json") ;;
        cw-block) args=(--op-block-list "$(cat "$M/$m.blocklist")" --keep-io-types --target-ep cuda) ;;
        cw-norms) args=(--recipe "$B/recipes/norms.json") ;;
        cw-norms-io16) args=(--recipe "$B/recipes/norms-io16.json") ;;
      esac
      t0=$(date +%s.%N)
      if node "$B/castaway.cjs" convert "$M/$m-fp32.onnx" -o "$M/$m-$v.onnx" "${args[@]}" >> "$W/convert.log" 2>&1; then
        echo "$m $v converted in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s" | tee -a "$W/convert.log"
      else
        echo "$m $v FAILED" | tee -a "$W/convert.log"; rc=1
      fi
    done
  done
  exit $rc
  ;;
shapes)
  # the experiment behind "value_info" in docs/gpu-pegasus-large.md: Castaway's conversions of the fp32 model
  # after onnx's shape inference (M-fp32-si.onnx -> M-cw-si.onnx keepIoTypes, M-cw-si-io16.onnx fp16 I/O)
  for m in enc dec; do
    python3 scripts/gpu/infer_shapes.py "$M/$m-fp32.onnx" "$M/$m-fp32-si.onnx" || exit 1
    node "$B/castaway.cjs" convert "$M/$m-fp32-si.onnx" -o "$M/$m-cw-si.onnx" --recipe "$B/recipes/ort-default.json" > /dev/null || exit 1
    node "$B/castaway.cjs" convert "$M/$m-fp32-si.onnx" -o "$M/$m-cw-si-io16.onnx" --recipe "$B/recipes/ort-default-io16.json" > /dev/null || exit 1
    echo "$m: shape-inferred variants written"
  done
  ;;
stats)
  python3 "$W/model_stats.py" "$M" > "${1:-$W/stats.json}"
  ;;
bench)
  m=$1 shape=$2 out=$3 mode=${4:-}
  # many short rounds: Castaway's and onnxruntime's models are compared round by round (--pairs)
  case "$shape" in
    1x128) b=1 s=128 warm=20 runs=400 rounds=40 ;;
    8x512) b=8 s=512 warm=3 runs=${CW_RUNS_8x512:-100} rounds=${CW_ROUNDS_8x512:-25} ;;
    *) echo "shape must be 1x128 or 8x512"; exit 2 ;;
  esac
  extra=()
  [ "$mode" = reuse ] && extra+=(--reuse-outputs)
  if [ "$m" = enc ]; then dims="batch=$b,seq=$s"; else dims="batch=$b,tgt=$s,seq=$s"; fi
  files=() labels=()
  for v in $VARIANTS; do
    if [ -f "$M/$m-$v.onnx" ]; then files+=("$M/$m-$v.onnx"); labels+=("$v"); else echo "missing: $m-$v.onnx"; fi
  done
  node "$B/bench.cjs" "${files[@]}" --labels "$(IFS=,; echo "${labels[*]}")" --ep "${CW_EP:-cuda}" --dims "$dims" \
    --vocab $VOCAB --warmup $warm --runs $runs --rounds $rounds --compare --json "$out" "${extra[@]}" \
    --pairs "${CW_PAIRS:-cw-default:ort-default,cw-default-io16:ort-io16,cw-novi-io16:ort-io16,ort-io16-copy:ort-io16}"
  ;;
profile)
  # profile enc|dec BATCH SEQ OUT variant...: kernel time and count by op type and EP (scripts/gpu/profile.cjs)
  m=$1 b=$2 s=$3 out=$4; shift 4
  for v in "$@"; do timeout 120 node scripts/gpu/profile.cjs "$M/$m-$v.onnx" "$b" "$s" "$VOCAB" 10 "$out" 2>&1 | tail -n 2 | cut -c1-300; done
  ;;
*)
  sed -n 2,13p "$0"; exit 2
  ;;
esac
