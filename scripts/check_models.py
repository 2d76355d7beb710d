"""Runs onnx.checker.check_model(full_check=True) on each model path given; prints one JSON line each.

Used by the tests through Debian's /usr/bin/python3 (python3-onnx). Models whose IR version is newer
than this onnx knows are reported as "skipped" with the reason, never as passing.
"""
import json
import sys

import onnx

for path in sys.argv[1:]:
    result = {"path": path}
    try:
        model = onnx.load(path)
        if model.ir_version > onnx.IR_VERSION:
            result.update(status="skipped", reason=f"IR {model.ir_version} is newer than this onnx checker's IR {onnx.IR_VERSION}")
        else:
            onnx.checker.check_model(model, full_check=True)
            result.update(status="ok")
    except Exception as error:  # report every checker failure with its message
        result.update(status="error", error=str(error).strip().splitlines()[0][:500] if str(error).strip() else repr(error))
    print(json.dumps(result), flush=True)
