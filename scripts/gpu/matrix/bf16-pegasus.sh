#!/usr/bin/env bash
# The bf16 table's Pegasus-large encoder (docs/bf16.md): export (random weights), Castaway fp16 (onnxruntime's
# default block list, fp16 I/O) and bf16 (same list, fp32 I/O: onnxruntime-node has no bfloat16 tensors),
# onnxruntime's tool fp16 default, into $CW_MX/pegasus-large-enc/; then `bench.cjs DIR time` times them.
# usage: bf16-pegasus.sh     env: CW_NODE, CW_BUNDLE as for prepare.sh
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
B=$(cd "${CW_BUNDLE:-.gpu-work}" && pwd)
D=${CW_MX:-/tmp/mx}/pegasus-large-enc
rm -rf "$D"; mkdir -p "$D"
python3 "$HERE/export_arch.py" pegasus-large-enc "$D" || exit 1
dims=$(python3 -c 'import json,sys; print(",".join(f"{k}={v}" for k, v in json.load(open(sys.argv[1]))["large"].items()))' "$D/meta.json")
python3 -c '
import sys, onnx
from onnxruntime.transformers.float16 import convert_float_to_float16
onnx.save(convert_float_to_float16(onnx.load(sys.argv[1] + "/fp32.onnx"), keep_io_types=False), sys.argv[1] + "/ort-default.onnx")
' "$D" &
for pair in default:default bf16-default:default-bf16; do
  "${CW_NODE:-node}" "$B/castaway.cjs" convert "$D/fp32.onnx" -o "$D/cw-${pair%%:*}.onnx" -q --recipe "$B/recipes/${pair#*:}.json" --objective bytes --dims "$dims" | tee -a "$D/cw.txt"
done
wait
ls -la "$D"
