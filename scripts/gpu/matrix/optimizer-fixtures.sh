#!/usr/bin/env bash
# The optimizer fixtures (fixtures/optimizer/, issue 9 item 1): tiny configs (CW_TINY=1, width 64) of six
# architectures exported with torch + transformers, passed through onnxruntime's transformer optimizer with
# the model type of each (fp32, use_gpu=False), the optimizer's output copied to OUT_DIR/ARCH.onnx.
# usage: optimizer-fixtures.sh OUT_DIR      (on the GPU machine: torch, transformers, onnxruntime there)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUTD=$1 W=${CW_MX:-/tmp/mx}/optfix
mkdir -p "$OUTD" "$W"
for a in ${CW_FIX_ARCHS:-bert-base gpt2 t5 vit clip unet}; do
  (
    D=$W/$a
    CW_TINY=1 CW_TINY_H=64 python3 "$HERE/export_arch.py" "$a" "$D" > "$W/$a.log" 2>&1 || { echo "$a: export failed"; tail -n 3 "$W/$a.log"; exit 0; }
    python3 - "$D" "$OUTD/$a.onnx" >> "$W/$a.log" 2>&1 <<'PY' || { echo "$a: optimizer failed"; tail -n 3 "$W/$a.log"; }
import json, sys
import onnx, onnxruntime
from onnxruntime.transformers.optimizer import optimize_model
d, out = sys.argv[1], sys.argv[2]
meta = json.load(open(f"{d}/meta.json"))
opt = optimize_model(f"{d}/fp32.onnx", model_type=meta["model_type"], num_heads=meta["num_heads"], hidden_size=meta["hidden_size"], use_gpu=False)
opt.model.producer_name = f"onnxruntime.transformers.optimizer {onnxruntime.__version__} (model_type {meta['model_type']})"
onnx.save(opt.model, out)
json.dump({**meta, "fused": opt.get_fused_operator_statistics()}, open(out[:-5] + ".json", "w"), indent=1)
print(out, "written")
PY
    echo "$a: $(tail -n 1 "$W/$a.log")"
  ) &
done
wait
ls -la "$OUTD"
