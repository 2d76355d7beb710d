"""Reference shapes for src/core/shapes tests: onnx.shape_inference.infer_shapes (Debian's python3-onnx) on
the fixture models; per value its element type and dims (numbers, dim_param names, null for unknown).
usage: /usr/bin/python3 scripts/gen-shape-reference.py   (writes src/core/shapes/testdata/*.json)
       /usr/bin/python3 scripts/gen-shape-reference.py conv-encoder-o17   (a model kept in testdata itself,
       e.g. src/core/testing/conv-encoder.ts encoded; only the named ones are rewritten)"""
import json
import os
import sys

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDATA = f"{ROOT}/src/core/shapes/testdata"
FIXTURES = ["bert-tiny-o14", "pegasus-small-o14-encoder", "pegasus-small-o14-decoder", "pegasus-small-o18-encoder",
            "t5-tiny-o14-encoder"]
jobs = [(name, f"{TESTDATA}/{name}.onnx") for name in sys.argv[1:]] or \
    [(name, f"{ROOT}/fixtures/models/{name}.onnx") for name in FIXTURES]
for name, path in jobs:
    m = onnx.shape_inference.infer_shapes(onnx.load(path))
    out = {}
    for vi in m.graph.value_info:
        t = vi.type.tensor_type
        dims = None
        if t.HasField("shape"):
            dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in t.shape.dim]
        out[vi.name] = [t.elem_type, dims]
    with open(f"{TESTDATA}/{name}.json", "w") as f:
        json.dump({"onnx": onnx.__version__, "values": out}, f, separators=(",", ":"), sort_keys=True)
    print(name, len(out))
