"""Nodes, Casts, fp16 share of weight bytes and onnx.checker validity of every .onnx in DIR -> JSON on stdout.
usage: python3 model_stats.py DIR > stats.json"""
import glob
import json
import os
import sys

import onnx

out = {}
for p in sorted(q for q in glob.glob(f"{sys.argv[1]}/*.onnx") if not q.endswith("-copy.onnx")):
    m = onnx.load(p)
    names = [n.name for n in m.graph.node]
    w16 = sum(len(t.raw_data) for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT16)
    w32 = sum(len(t.raw_data) for t in m.graph.initializer if t.data_type == onnx.TensorProto.FLOAT)
    s = {"bytes": os.path.getsize(p), "nodes": len(m.graph.node), "casts": sum(n.op_type == "Cast" for n in m.graph.node),
         "fp16_weight_share": round(w16 / max(1, w16 + w32), 4), "duplicate_node_names": len(names) - len(set(names))}
    try:
        onnx.checker.check_model(m)
        s["checker"] = "valid"
    except Exception as e:
        s["checker"] = f"INVALID: {str(e).splitlines()[0][:160]}"
    out[os.path.basename(p)] = s
    print(os.path.basename(p), json.dumps(s), file=sys.stderr, flush=True)
    del m
json.dump(out, sys.stdout, indent=1)
