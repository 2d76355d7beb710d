"""A re-check of Castaway's cells against an earlier run: which of an architecture's Castaway models (cw-*, cwopt-*)
differ from that run's in nodes, Casts, op-type counts, file size (a Cast moved to another place, or weights kept
fp32, changes no count: run 3's gpt2 cw-bf16-norms), or, where both runs recorded them, graph I/O types,
initializer types and Cast targets (graphs.json of graph_stats.py, both runs), and which
models a re-timing of the changed cells needs: fp32, the optimizer's fp32 output, and per changed recipe both of
Castaway's models and both of onnxruntime's for the same block list (its norms models for the strict recipe);
bf16 cells are timed beside Castaway's fp16 default models.

usage: python3 graph_compare.py OLD_GRAPHS.json NEW_GRAPHS.json [--always cw-bf16-default,...]
prints one JSON object: {"changed": {model: {field: [old, new]}}, "same": [...], "new": [...], "time": [...]}
"""
import json
import sys

old = json.load(open(sys.argv[1]))["models"]
new = json.load(open(sys.argv[2]))["models"]
always = sys.argv[sys.argv.index("--always") + 1].split(",") if "--always" in sys.argv else []


COUNTS = ("nodes", "casts", "bytes", "io", "initializer_types", "cast_to")


def fields(g):
    return {k: g.get(k) for k in (*COUNTS, "ops")}


def recipe(model):
    return model.split("-", 1)[1]


changed, same, fresh = {}, [], []
for m in sorted(new):
    if not m.startswith("cw"):
        continue
    if m not in old:
        fresh.append(m)
        continue
    a, b = fields(old[m]), fields(new[m])
    diff = {k: [a[k], b[k]] for k in COUNTS if a[k] is not None and b[k] is not None and a[k] != b[k]}
    if a["ops"] != b["ops"]:
        keys = sorted(set(a["ops"] or {}) | set(b["ops"] or {}))
        diff["ops"] = {k: [(a["ops"] or {}).get(k, 0), (b["ops"] or {}).get(k, 0)] for k in keys
                       if (a["ops"] or {}).get(k, 0) != (b["ops"] or {}).get(k, 0)}
    if diff:
        changed[m] = diff
    else:
        same.append(m)

timed = {"fp32", "opt-fp32"}
for m in list(changed) + fresh + [m for m in always if m in new]:
    r = recipe(m)
    if r.startswith("bf16"):
        timed |= {f"cw-{r}", f"cwopt-{r}", "cw-default", "cwopt-default"}
    else:
        peer = "norms" if r == "strict" else r
        timed |= {f"cw-{r}", f"cwopt-{r}", f"ort-{peer}", f"ortopt-{peer}"}
timed = sorted(t for t in timed if t in new) if len(timed) > 2 else []
print(json.dumps({"changed": changed, "same": same, "new": fresh, "time": timed}))
