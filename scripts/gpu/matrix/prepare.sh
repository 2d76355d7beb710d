#!/usr/bin/env bash
# Every architecture's models, several architectures at once (CPU work; the GPU machine has 16 cores):
# export (torch), then at once: onnxruntime's tool (3 recipes), onnxruntime's optimizer then its fp16
# conversion (3 recipes) then Castaway on the optimizer's output, and Castaway on the exported model.
# Work in $CW_MX (default /tmp/mx)/<arch>/; logs <arch>.log and <arch>/*.log; Castaway's runs in <arch>/cw.jsonl.
# usage: prepare.sh [ARCH...]   (default: all ten)
# env: CW_TINY=1 tiny configs (development only); CW_JOBS architectures at once (default 10);
#      CW_NODE node binary (default node); CW_BUNDLE folder with castaway.cjs and recipes/ (default .gpu-work)
#      CW_LOW=bf16 also converts PREFIX-bf16-{default,norms}.onnx with recipes/{default,norms}-bf16.json (docs/bf16.md);
#      CW_BF16_ARCHS="gpt2 ..." does so for those architectures only
#      CW_OBJECTIVE (default bytes): Castaway's objective; with bytes, --dims binds the large input's sizes
#      (meta.json), so that fp32 graph I/O pays its host copy as a GPU-speed user's model would
set -uo pipefail
W=${CW_MX:-/tmp/mx}
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(cd "${CW_BUNDLE:-.gpu-work}" && pwd)
NODE=${CW_NODE:-node}
mkdir -p "$W"
ARCHS=${*:-"bert-large llama bart gpt2 bert-base unet vit distilbert whisper-enc resnet50"}
# Castaway on D/SRC.onnx in the three recipes -> D/PREFIX-{default,norms,block}.onnx; one JSON line per run
cw() {
  local D=$1 src=$2 prefix=$3 bl=$4
  local runs="default norms strict block" a=$(basename "$D")
  { [ "${CW_LOW:-}" = bf16 ] || [[ " ${CW_BF16_ARCHS:-} " == *" $a "* ]]; } && runs="$runs bf16-default bf16-norms"
  local obj=(--objective "${CW_OBJECTIVE:-bytes}")
  [ "${CW_OBJECTIVE:-bytes}" = bytes ] && obj+=(--dims "$(python3 -c 'import json,sys; print(",".join(f"{k}={v}" for k, v in json.load(open(sys.argv[1]))["large"].items()))' "$D/meta.json")")
  for r in $runs; do
    case $r in
      default) args=(--recipe "$B/recipes/default.json") ;;
      norms) args=(--recipe "$B/recipes/norms.json") ;;
      strict) args=(--recipe "$B/recipes/norms-strict.json") ;;
      block) args=(--recipe "$B/recipes/none.json" --op-block-list "$(cat "$D/$bl")") ;;
      bf16-default) args=(--recipe "$B/recipes/default-bf16.json") ;;
      bf16-norms) args=(--recipe "$B/recipes/norms-bf16.json") ;;
    esac
    local t0=$(date +%s.%N) out rc
    out=$("$NODE" "$B/castaway.cjs" convert "$D/$src.onnx" -o "$D/$prefix-$r.onnx" -q "${args[@]}" "${obj[@]}" 2>&1); rc=$?
    python3 -c 'import json,sys,time; print(json.dumps({"model": sys.argv[1], "rc": int(sys.argv[2]), "s": round(time.time() - float(sys.argv[3]), 2), "out": sys.argv[4][:1500]}))' \
      "$prefix-$r" $rc "$t0" "$out" >> "$D/cw.jsonl"
  done
}
one() {
  local a=$1 D=$W/$1 t0=$(date +%s)
  rm -rf "$D"; mkdir -p "$D"
  if python3 "$HERE/export_arch.py" "$a" "$D" > "$W/$a.log" 2>&1; then
    python3 "$HERE/ort_arch.py" "$D" tool > "$D/tool.log" 2>&1 &
    { python3 "$HERE/ort_arch.py" "$D" opt > "$D/opt.log" 2>&1; [ -f "$D/opt-fp32.onnx" ] && cw "$D" opt-fp32 cwopt opt-block.txt; } &
    cw "$D" fp32 cw block.txt
    wait
    echo "$a prepared in $(( $(date +%s) - t0 )) s"
  else
    echo "$a EXPORT FAILED:"; tail -n 5 "$W/$a.log"
  fi
}
export -f one cw; export W HERE B NODE CW_LOW CW_BF16_ARCHS CW_OBJECTIVE PYTHONUNBUFFERED=1
rm -f "$W/prepare.done"
printf '%s\n' $ARCHS | xargs -P "${CW_JOBS:-10}" -I{} bash -c 'one {}'
touch "$W/prepare.done"
