"""Markdown tables for docs/gpu-pegasus-large.md from the JSON that pegasus-pipeline.sh wrote.
usage: python3 scripts/gpu/make_table.py scripts/gpu/results/pegasus-large-h100"""
import json
import sys

d = sys.argv[1]
stats = json.load(open(f"{d}/stats.json"))
NAMES = {
    "fp32": "fp32 (exported model)",
    "ort-default": "onnxruntime tool, defaults + keep_io_types",
    "ort-io16": "onnxruntime tool, all defaults (fp16 I/O)",
    "ort-block": "onnxruntime tool, issue block list + keep_io_types",
    "cw-default": "Castaway, onnxruntime's default block list + keepIoTypes",
    "cw-default-io16": "Castaway, onnxruntime's default block list, fp16 I/O",
    "cw-block": "Castaway, issue block list + keepIoTypes",
    "cw-norms": "Castaway, LayerNorm pieces + Softmax fp32, keepIoTypes",
    "cw-norms-io16": "Castaway, LayerNorm pieces + Softmax fp32, fp16 I/O",
}
for m in ("enc", "dec"):
    runs = {s: json.load(open(f"{d}/{m}-{s}.json")) for s in ("1x128", "8x512")}
    print(f"\n#### {'Encoder' if m == 'enc' else 'Decoder + lm_head'}\n")
    print("| model | nodes | Casts | loads | 1x128 median ms (p90) | vs fp32 | 8x512 median ms (p90) | vs fp32 | max abs err 8x512 | cosine |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for i, row in enumerate(runs["1x128"]["rows"]):
        v = row["label"]
        st = stats.get(f"{m}-{v}.onnx", {})
        cells = [NAMES.get(v, v), str(st.get("nodes", "")), str(st.get("casts", ""))]
        if row.get("error"):
            err = row["error"].split("Error: ")[-1][:70]
            cells += [f"no: {err}", "-", "-", "-", "-", "-", "-"]
        else:
            cells.append("yes")
            for s in ("1x128", "8x512"):
                r = runs[s]["rows"][i]
                b = r["bench"]
                cells += [f"{b['medianMs']:.2f} ({b['p90Ms']:.2f})", f"{r['speedup']:.2f}x"]
            e = runs["8x512"]["rows"][i].get("errors")
            if e:
                e = list(e.values())[0]
                cells += [f"{e['maxAbs']:.2e}", f"{e['cosine']:.6f}"]
            else:
                cells += ["(reference)", ""]
        print("| " + " | ".join(cells) + " |")
