#!/usr/bin/env bash
# Re-check of gpt2 bf16 norms (docs/bf16.md): export, convert with the fixed engine, load and run on the CUDA EP against fp32.
set -u
N=/tmp/gpu/bin/node; B=/tmp/gw; D=/tmp/mx2/gpt2
mkdir -p $D
python3 $B/matrix/export_arch.py gpt2 $D > /tmp/mx2/export.log 2>&1 || { tail -3 /tmp/mx2/export.log; exit 1; }
for r in norms-bf16:cw-bf16-norms default-bf16:cw-bf16-default norms:cw-norms; do
  $N $B/castaway.cjs convert $D/fp32.onnx -o $D/${r#*:}.onnx -q --recipe $B/recipes/${r%%:*}.json --objective bytes --dims batch=8,seq=512,tgt=512
done
touch /tmp/mx2/ready
