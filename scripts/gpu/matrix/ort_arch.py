"""onnxruntime's two fp16 pipelines for one exported architecture, in the matrix's three recipes.

usage: python3 ort_arch.py DIR [tool|opt]   (DIR holds fp32.onnx and meta.json from export_arch.py; "tool" and
       "opt" run the two pipelines alone, so that both can run at once: figures in ort-tool.json, ort-opt.json)
writes into DIR:
  ort-{default,norms,block}.onnx     onnxruntime.transformers.float16.convert_float_to_float16(keep_io_types=False)
  opt-fp32.onnx                      onnxruntime.transformers.optimizer.optimize_model(model_type, num_heads,
                                     hidden_size from meta.json; fp32 fusions, CPU onnxruntime: use_gpu=False)
  ortopt-{default,norms,block}.onnx  that optimizer's model, then its OnnxModel.convert_float_to_float16(keep_io_types=False)
  block.txt, opt-block.txt           the issue #15490 block list of each graph (every op type but Identity,
                                     Constant, Gather and Shape), for Castaway's --op-block-list
  ort-PART.json                      timings, node/Cast counts, checker verdicts and errors
Recipes: default = onnxruntime's DEFAULT_OP_BLOCK_LIST; norms = that list + the norm ops and Softmax by op type
+ the nodes whose name matches Castaway's NORMS_AND_SOFTMAX_RULE (src/core/recipe.ts; node_block_list here);
block = the issue #15490 list.
"""
import json
import re
import sys
import time
import traceback

import onnx
import onnxruntime
from onnxruntime.transformers.float16 import DEFAULT_OP_BLOCK_LIST, convert_float_to_float16
from ort_common import block_list, checked_save, stats

d = sys.argv[1]
part = sys.argv[2] if len(sys.argv) > 2 else "all"
meta = json.load(open(f"{d}/meta.json"))
# must stay equal to NORMS_AND_SOFTMAX_RULE and the norms-softmax-fp32 preset in src/core/recipe.ts
NORMS_RULE = re.compile(r"layer_?norm|layernorm|/ln_[a-z0-9]*/|rms_?norm|/softmax", re.I)
NORM_OPS = ["LayerNormalization", "SimplifiedLayerNormalization", "SkipLayerNormalization",
            "SkipSimplifiedLayerNormalization", "Softmax"]
report = {"onnxruntime": onnxruntime.__version__, "onnx": onnx.__version__}


def recipes(m, tag):
    ops = block_list(m)
    if tag:  # block.txt itself comes from export_arch.py (Castaway reads it while this runs)
        with open(f"{d}/{tag}block.txt", "w") as f:
            f.write(",".join(ops))
    norm_nodes = [n.name for n in m.graph.node if n.name and NORMS_RULE.search(n.name)]
    return {
        "default": {},
        "norms": {"op_block_list": list(DEFAULT_OP_BLOCK_LIST) + NORM_OPS, "node_block_list": norm_nodes},
        "block": {"op_block_list": ops},
    }


def save(m, name, t0, extra=None):
    f = report[name] = checked_save(m, f"{d}/{name}.onnx", t0, extra)
    print(name, json.dumps(f), flush=True)


src = f"{d}/fp32.onnx"
m = onnx.load(src)
report["fp32"] = stats(m)
rs = recipes(m, "") if part != "opt" else {}
del m
for r, kw in rs.items():
    try:
        m = onnx.load(src)
        t0 = time.time()
        save(convert_float_to_float16(m, keep_io_types=False, **kw), f"ort-{r}", t0)
    except Exception as e:
        report[f"ort-{r}"] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
        print(f"ort-{r} FAILED", e, flush=True)

try:
    if part == "tool":
        raise StopIteration
    from onnxruntime.transformers.onnx_model import OnnxModel
    from onnxruntime.transformers.optimizer import optimize_model
    t0 = time.time()
    opt = optimize_model(src, model_type=meta["model_type"], num_heads=meta["num_heads"],
                         hidden_size=meta["hidden_size"], use_gpu=False)
    report["optimizer_fused"] = opt.get_fused_operator_statistics()
    save(opt.model, "opt-fp32", t0, {"model_type": meta["model_type"]})
    del opt
    om = onnx.load(f"{d}/opt-fp32.onnx")
    ors = recipes(om, "opt-")
    del om
    for r, kw in ors.items():
        try:
            om = OnnxModel(onnx.load(f"{d}/opt-fp32.onnx"))
            t0 = time.time()
            om.convert_float_to_float16(keep_io_types=False, **kw)
            save(om.model, f"ortopt-{r}", t0)
        except Exception as e:
            report[f"ortopt-{r}"] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
            print(f"ortopt-{r} FAILED", e, flush=True)
except StopIteration:
    pass
except Exception as e:
    report["opt-fp32"] = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
    traceback.print_exc()
json.dump(report, open(f"{d}/ort-{part}.json", "w"), indent=1)
