"""Nodes, Casts, op-type counts, graph I/O types, initializer types and Cast targets of every model of one
architecture's folder, and of the graphs onnxruntime ran (DIR/optimized/, written by bench.cjs profile: the graph
after onnxruntime's CUDA-EP optimizations), for the kernel-parity diffs and graph_compare.py.
-> DIR/graphs.json.    usage: python3 graph_stats.py DIR"""
import collections
import glob
import json
import os
import sys

import onnx

d = sys.argv[1]


def type_name(t):
    return onnx.TensorProto.DataType.Name(t).lower()


out = {"models": {}, "optimized": {}}
for kind, pattern in (("models", f"{d}/*.onnx"), ("optimized", f"{d}/optimized/*.onnx")):
    for p in sorted(glob.glob(pattern)):
        try:
            m = onnx.load(p, load_external_data=False)
        except Exception as e:
            out[kind][os.path.basename(p)[:-5]] = {"error": str(e)[:200]}
            continue
        names = [n.name for n in m.graph.node]
        ops = collections.Counter(f"{n.domain + ':' if n.domain not in ('', 'ai.onnx') else ''}{n.op_type}" for n in m.graph.node)
        io = {x.name: type_name(x.type.tensor_type.elem_type) for x in (*m.graph.input, *m.graph.output)}
        out[kind][os.path.basename(p)[:-5]] = {
            "bytes": os.path.getsize(p), "nodes": len(m.graph.node), "casts": ops.get("Cast", 0), "io": io,
            "initializer_types": dict(sorted(collections.Counter(type_name(t.data_type) for t in m.graph.initializer).items())),
            "cast_to": dict(sorted(collections.Counter(type_name(a.i) for n in m.graph.node if n.op_type == "Cast"
                                                       for a in n.attribute if a.name == "to").items())),
            "duplicate_node_names": len(names) - len(set(names)), "ops": dict(sorted(ops.items())),
            "opset": {o.domain or "ai.onnx": o.version for o in m.opset_import}}
        del m
json.dump(out, open(f"{d}/graphs.json", "w"))
print(os.path.basename(d), "graphs:", len(out["models"]), "models,", len(out["optimized"]), "optimized")
