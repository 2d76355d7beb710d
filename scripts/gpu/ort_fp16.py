"""onnxruntime's own fp16 conversion, the baselines: for MODEL in ARGS (e.g. enc, dec), from DIR/MODEL-fp32.onnx:
  DIR/MODEL-ort-default.onnx  convert_float_to_float16(model, keep_io_types=True)   (its default block list)
  DIR/MODEL-ort-io16.onnx     convert_float_to_float16(model)                        (all defaults: fp16 I/O)
  DIR/MODEL-ort-block.onnx    convert_float_to_float16(model, keep_io_types=True, op_block_list=BL)
where BL = every op type in the model except Identity, Constant, Gather and Shape (written to
DIR/MODEL.blocklist, comma-separated, for castaway's --op-block-list). Figures to DIR/MODEL-ort.json.

usage: python3 ort_fp16.py DIR enc dec
"""
import json
import os
import sys
import time

import onnx
import onnxruntime
from onnxruntime.transformers.float16 import convert_float_to_float16

# the matrix's helpers (pegasus-pipeline.sh copies both folders' scripts into one work folder)
sys.path[1:1] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "matrix")]
from ort_common import block_list, checked_save  # noqa: E402

d = sys.argv[1]
for name in sys.argv[2:]:
    src = f"{d}/{name}-fp32.onnx"
    m = onnx.load(src)
    ops = block_list(m)
    with open(f"{d}/{name}.blocklist", "w") as f:
        f.write(",".join(ops))
    figures = {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__, "nodes": len(m.graph.node),
               "casts": sum(n.op_type == "Cast" for n in m.graph.node), "block_list": ops}
    del m
    for variant, kwargs in (("ort-default", {"keep_io_types": True}), ("ort-io16", {}),
                            ("ort-block", {"keep_io_types": True, "op_block_list": ops})):
        m = onnx.load(src)
        t0 = time.time()
        try:
            m16 = convert_float_to_float16(m, **kwargs)
        except Exception as e:  # report, go on
            figures[variant] = {"error": f"{type(e).__name__}: {e}"}
            print(name, variant, "FAILED", e, flush=True)
            continue
        f = figures[variant] = checked_save(m16, f"{d}/{name}-{variant}.onnx", t0)
        print(name, variant, json.dumps(f), flush=True)
        del m, m16
    with open(f"{d}/{name}-ort.json", "w") as fh:
        json.dump(figures, fh, indent=1)
