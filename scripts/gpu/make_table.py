"""Markdown tables for docs/gpu-pegasus-large.md from what pegasus-pipeline.sh wrote.
usage: python3 scripts/gpu/make_table.py docs/data/gpu/pegasus-large-h100-run3"""
import json
import os
import sys

d = sys.argv[1]
stats = json.load(open(f"{d}/stats.json"))
NAMES = {
    "fp32": "fp32 (exported model)",
    "ort-default": "onnxruntime tool, defaults + keep_io_types",
    "ort-io16": "onnxruntime tool, all defaults (fp16 I/O)",
    "ort-block": "onnxruntime tool, issue block list + keep_io_types",
    "cw-default": "Castaway, onnxruntime's default block list + keepIoTypes",
    "cw-default-io16": "**Castaway, onnxruntime's default block list, fp16 I/O**",
    "cw-block": "Castaway, issue block list + keepIoTypes",
    "cw-norms": "Castaway, LayerNorm pieces + Softmax fp32, keepIoTypes",
    "cw-norms-io16": "Castaway, LayerNorm pieces + Softmax fp32, fp16 I/O",
    "cw-novi-io16": "Castaway, as the bold row but without value_info (`--no-value-info`)",
    "ort-io16-copy": "control: onnxruntime's fp16-I/O model loaded a second time",
}


def load(name):
    p = f"{d}/{name}"
    return json.load(open(p)) if os.path.exists(p) else None


def ci(p):
    return f"{p['speedup']:.2f}x ({p['ci95'][0]:.2f}-{p['ci95'][1]:.2f})"


def pair_cell(run, model, baseline):
    if not run:
        return "-"
    for p in run.get("pairs", []):
        if p["model"] == model and p["baseline"] == baseline:
            return f"{p['speedup']:.3f}x ({p['ci95'][0]:.3f}-{p['ci95'][1]:.3f}), {p['roundsFaster']}/{p['rounds']}"
    return "-"


for m in ("enc", "dec"):
    runs = {s: load(f"{m}-{s}.json") for s in ("1x128", "8x512")}
    print(f"\n#### {'Encoder' if m == 'enc' else 'Decoder + lm_head'}\n")
    print("| model | nodes | Casts | loads | 1x128 median ms (p90) | vs fp32 (95% CI) | 8x512 median ms (p90) | vs fp32 (95% CI) | max abs err 8x512 | cosine |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for i, row in enumerate(runs["1x128"]["rows"]):
        v = row["label"]
        st = stats.get(f"{m}-{v}.onnx", stats.get(f"{m}-{v.replace('-copy', '')}.onnx", {}))
        cells = [NAMES.get(v, v), str(st.get("nodes", "")), str(st.get("casts", ""))]
        if row.get("error"):
            err = row["error"].split("Error: ")[-1][:70]
            cells += [f"no: {err}", "-", "-", "-", "-", "-", "-"]
        else:
            cells.append("yes")
            for s in ("1x128", "8x512"):
                r = runs[s]["rows"][i]
                b = r["bench"]
                cells += [f"{b['medianMs']:.2f} ({b['p90Ms']:.2f})", ci(r["paired"]) if r.get("paired") else "1.00x"]
            e = runs["8x512"]["rows"][i].get("errors")
            if e:
                e = list(e.values())[0]
                cells += [f"{e['maxAbs']:.2e}", f"{e['cosine']:.6f}"]
            else:
                cells += ["(reference)", ""]
        print("| " + " | ".join(cells) + " |")

print("\n#### Castaway against onnxruntime's model, paired by round\n")
print("Speed-up of Castaway's model over onnxruntime's (> 1: Castaway faster), 95% bootstrap interval, rounds in which")
print("Castaway's median was lower. \"all models\": the table above; \"reused outputs\": the same run with")
print("`--reuse-outputs`; \"A/B\": the four models alone, more rounds, outputs reused.\n")
print("| setting | cell | all models | all models, reused outputs | A/B (4 models, reused outputs) |")
print("|---|---|---:|---:|---:|")
for label, model, base in (("keepIoTypes", "cw-default", "ort-default"), ("fp16 I/O", "cw-default-io16", "ort-io16"),
                           ("fp16 I/O without value_info", "cw-novi-io16", "ort-io16"),
                           ("control (same model twice)", "ort-io16-copy", "ort-io16")):
    for m in ("enc", "dec"):
        for s in ("1x128", "8x512"):
            ab = load(f"ab-{m}.json") if (m, s) in (("dec", "1x128"), ("enc", "8x512")) else None
            print(f"| {label} | {m} {s} | {pair_cell(load(f'{m}-{s}.json'), model, base)} | "
                  f"{pair_cell(load(f'{m}-{s}-reuse.json'), model, base)} | {pair_cell(ab, model, base)} |")

prof = [json.loads(line) for line in open(f"{d}/profile.jsonl")] if os.path.exists(f"{d}/profile.jsonl") else []
if prof:
    print("\n#### Kernels per run after onnxruntime's optimizer (CUDA EP profiler)\n")
    print("| model | encoder 8x512 | decoder 1x128 | SkipLayerNormalization | CPU Concat (decoder) |")
    print("|---|---:|---:|---:|---:|")
    for v in ("fp32", "ort-default", "cw-default", "ort-io16", "cw-default-io16", "cw-novi-io16"):
        e = next((r for r in prof if r["model"] == f"enc-{v}"), None)
        dd = next((r for r in prof if r["model"] == f"dec-{v}"), None)
        k = lambda r: str(round(sum(x["count"] for x in r["byOp"].values()))) if r else "-"
        sk = lambda r: str(round(r["byOp"].get("SkipLayerNormalization@CUDA", {"count": 0})["count"])) if r else "-"
        cc = lambda r: str(round(r["byOp"].get("Concat@CPU", {"count": 0})["count"])) if r else "-"
        print(f"| {NAMES.get(v, v)} | {k(e)} | {k(dd)} | {sk(e)} / {sk(dd)} | {cc(dd)} |")
