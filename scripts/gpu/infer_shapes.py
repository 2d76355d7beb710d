"""onnx's own shape inference (what onnxruntime's convert_float_to_float16 runs first) on a model:
usage: python3 infer_shapes.py IN.onnx OUT.onnx   (value_info with onnx's symbolic dims, e.g. unk__3)"""
import sys

import onnx

m = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]))
onnx.save(m, sys.argv[2])
print(sys.argv[2], len(m.graph.value_info), "value_info")
