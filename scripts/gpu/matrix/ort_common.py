"""What the GPU scripts' onnxruntime baselines share (ort_arch.py for the matrix, ../ort_fp16.py for Pegasus-large,
speed.sh for the conversion timing): the issue #15490 block list of a graph, and the figures + onnx.checker
verdict of a converted model written to disk, so that every baseline is counted and checked the same way."""
import time

import onnx

# issue #15490's list keeps these op types out of the block list (everything else is blocked)
KEEP = {"Identity", "Constant", "Gather", "Shape"}


def block_list(m):
    return sorted({n.op_type for n in m.graph.node} - KEEP)


def stats(m):
    names = [n.name for n in m.graph.node]
    return {"nodes": len(m.graph.node), "casts": sum(n.op_type == "Cast" for n in m.graph.node),
            "duplicate_node_names": len(names) - len(set(names))}


def checked_save(m, path, t0, extra=None):
    """Figures of model m converted since t0 (time.time()), checked, then saved to path."""
    f = {"convert_s": round(time.time() - t0, 2), **stats(m), **(extra or {})}
    try:
        onnx.checker.check_model(m)
        f["checker"] = "valid"
    except Exception as e:
        f["checker"] = f"INVALID: {str(e).splitlines()[0][:160]}"
    onnx.save(m, path)
    return f
