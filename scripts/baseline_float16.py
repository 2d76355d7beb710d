"""onnxruntime's own converter on a model, timed: the baseline Castaway's bench runs beside its own figures.

Usage: python3 baseline_float16.py model.onnx [issue|default]
Prints one JSON line: seconds to convert, Cast count, duplicate node names. Needs onnxruntime (the GPU
machine's Python has it; this machine's Debian Python does not).
"""
import json
import sys
import time
from collections import Counter

import onnx
from onnxruntime.transformers.float16 import convert_float_to_float16

path, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "issue")
model = onnx.load(path)
ops = sorted({n.op_type for n in model.graph.node} - {"Identity", "Constant", "Gather", "Shape"})
start = time.perf_counter()
if mode == "issue":
    out = convert_float_to_float16(model, op_block_list=ops)
else:
    out = convert_float_to_float16(model, keep_io_types=True)
seconds = time.perf_counter() - start
names = Counter(n.name for n in out.graph.node)
print(json.dumps({
    "tool": "onnxruntime.transformers.float16",
    "mode": mode,
    "seconds": seconds,
    "casts": sum(1 for n in out.graph.node if n.op_type == "Cast"),
    "duplicateNames": sum(c - 1 for c in names.values() if c > 1),
}))
