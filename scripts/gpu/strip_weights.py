"""Copies ONNX models without their large initializer bytes (dims and types kept, tensors under 4 KB kept),
so that graph structure comes back from the GPU machine within its 16 MiB limit.
usage: python3 strip_weights.py OUTDIR model.onnx..."""
import os
import sys

import onnx

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for p in sys.argv[2:]:
    m = onnx.load(p, load_external_data=False)
    for t in m.graph.initializer:
        if len(t.raw_data) > 4096:
            t.raw_data = b""
        for f in ("float_data", "int64_data", "int32_data", "double_data"):
            if len(getattr(t, f)) > 1024:
                t.ClearField(f)
    onnx.save(m, os.path.join(out, os.path.basename(p)))
    print(os.path.basename(p), os.path.getsize(os.path.join(out, os.path.basename(p))))
