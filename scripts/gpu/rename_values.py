"""Renames values and nodes of an ONNX model (an experiment: does onnxruntime's speed depend on names?).
usage: python3 rename_values.py IN.onnx OUT.onnx old=new[,old=new...]   (values and node names alike)"""
import sys

import onnx

src, dst, spec = sys.argv[1:4]
ren = dict(p.split("=", 1) for p in spec.split(","))
m = onnx.load(src)
g = m.graph
for n in g.node:
    n.input[:] = [ren.get(x, x) for x in n.input]
    n.output[:] = [ren.get(x, x) for x in n.output]
    n.name = ren.get(n.name, n.name)
for v in list(g.value_info) + list(g.input) + list(g.output):
    v.name = ren.get(v.name, v.name)
onnx.save(m, dst)
print(dst, "renamed", len(ren))
