"""Tables of docs/gpu-matrix.md from the raw results of the matrix's device calls.

usage: python3 scripts/gpu/matrix/make_matrix.py RESULTS_DIR > tables.md
       python3 scripts/gpu/matrix/make_matrix.py RESULTS_DIR --pairs ARCH:MODEL_A/MODEL_B ...   (ratios only)
RESULTS_DIR holds what run.sh packed: time-ARCH-rROT.json (one per load-order rotation), profile-ARCH.json,
graphs-ARCH.json, ARCH-meta.json, ARCH-ort-tool.json, ARCH-ort-opt.json, ARCH-cw.jsonl.

Every ratio is a speed-up (> 1: the first model is faster), paired by round: within one round of one process
every model ran K times back to back, seconds apart; the ratio of two models' round medians, pooled over the
processes (load orders), median over rounds, 95% percentile-bootstrap interval over rounds (seeded).
"""
import glob
import json
import os
import random
import re
import statistics
import sys

D = sys.argv[1]
ARCHS = ["bert-base", "bert-large", "distilbert", "gpt2", "llama", "bart", "vit", "resnet50", "whisper-enc", "unet"]
RECIPES = ["default", "norms", "block"]
RLABEL = {"default": "onnxruntime's default block list", "norms": "norms + Softmax fp32", "block": "issue #15490 block list"}
LABEL = {
    "fp32": "fp32 (exported)", "opt-fp32": "fp32, onnxruntime optimizer",
    "ort-default": "onnxruntime tool, default", "ort-norms": "onnxruntime tool, norms+Softmax fp32", "ort-block": "onnxruntime tool, #15490 list",
    "ortopt-default": "optimizer + its fp16, default", "ortopt-norms": "optimizer + its fp16, norms+Softmax fp32", "ortopt-block": "optimizer + its fp16, #15490 list",
    "cw-default": "Castaway, default", "cw-norms": "Castaway, norms+Softmax fp32", "cw-strict": "Castaway, norms+Softmax fp32, strict-mode recipe", "cw-block": "Castaway, #15490 list",
    "cwopt-default": "Castaway on optimizer output, default", "cwopt-norms": "Castaway on optimizer output, norms+Softmax fp32",
    "cwopt-strict": "Castaway on optimizer output, norms+Softmax fp32, strict-mode recipe", "cwopt-block": "Castaway on optimizer output, #15490 list",
    # bf16 (prepare.sh with CW_LOW=bf16; fp32 I/O): rows appear in the per-architecture tables when measured
    "cw-bf16-default": "Castaway bf16, default", "cw-bf16-norms": "Castaway bf16, norms+Softmax fp32",
    "cwopt-bf16-default": "Castaway bf16 on optimizer output, default", "cwopt-bf16-norms": "Castaway bf16 on optimizer output, norms+Softmax fp32",
}
VARIANTS = list(LABEL)


def load(p):
    try:
        return json.load(open(p))
    except Exception:
        return None


def boot(xs, n=2000, seed=0):
    rnd = random.Random(seed)
    meds = sorted(statistics.median(rnd.choices(xs, k=len(xs))) for _ in range(n))
    return statistics.median(xs), meds[int(0.025 * n)], meds[int(0.975 * n) - 1]


class Arch:
    def __init__(self, a):
        self.a = a
        self.meta = load(f"{D}/{a}-meta.json") or {}
        self.times = [t for t in (load(p) for p in sorted(glob.glob(f"{D}/time-{a}-r*.json"))) if t]
        self.prof = (load(f"{D}/profile-{a}.json") or {}).get("kernels", {})
        self.graphs = load(f"{D}/graphs-{a}.json") or {"models": {}, "optimized": {}}
        self.cw = {}
        if os.path.exists(f"{D}/{a}-cw.jsonl"):
            for line in open(f"{D}/{a}-cw.jsonl"):
                r = json.loads(line)
                self.cw[r["model"]] = r
        self.ort = {**(load(f"{D}/{a}-ort-tool.json") or {}), **(load(f"{D}/{a}-ort-opt.json") or {})}

    def exists(self, v):
        return v in self.graphs["models"] or any(v in t["loads"] for t in self.times)

    def load_status(self, v):
        for t in self.times:
            if v in t["loads"]:
                l = t["loads"][v]
                if not l["ok"]:
                    return "no: " + re.sub(r"Load model from \S+ failed:", "", l["error"]).split("\n")[0][:110]
                run_err = [sh["runErrors"][v] for sh in t["shapes"].values() if v in sh.get("runErrors", {})]
                return "yes; run fails: " + re.sub(r"\S*\[E:onnxruntime[^\]]*\]", "", run_err[0])[:110] if run_err else "yes"
        if v.startswith("cw") and v in self.cw and self.cw[v]["rc"] != 0:
            errs = [l for l in self.cw[v]["out"].split("\n") if l.startswith("castaway:") and "warning" not in l]
            return "not written: " + (errs[0] if errs else self.cw[v]["out"].strip().split("\n")[-1])[:120]
        if v in self.ort and "error" in self.ort[v]:
            return "not written: " + self.ort[v]["error"][:90]
        return "-"

    def rounds(self, shape, v):
        """per process, the list of round medians (ms)"""
        return [t["shapes"][shape]["rounds_ms"].get(v) for t in self.times if shape in t["shapes"]]

    def ratio(self, shape, a, b):
        """speed-up of a over b: t_b / t_a, paired by round, pooled over processes"""
        xs = []
        for ra, rb in zip(self.rounds(shape, a), self.rounds(shape, b)):
            if ra and rb:
                xs += [y / x for x, y in zip(ra, rb)]
        return boot(xs) if len(xs) >= 3 else None

    def median_ms(self, shape, v):
        xs = [x for r in self.rounds(shape, v) if r for x in r]
        return statistics.median(xs) if xs else None

    def err(self, shape, v):
        for t in self.times:
            e = t["shapes"].get(shape, {}).get("errors", {}).get(v)
            if e:
                return e
        return None

    def kernels(self, v):
        k = self.prof.get(v)
        return k.get("perRun") if k and "perRun" in k else None


def fr(r):
    return "-" if not r else f"{r[0]:.2f}x ({r[1]:.2f}-{r[2]:.2f})"


def verdict(r):
    if not r:
        return "-"
    return "ahead" if r[1] > 1 else ("behind" if r[2] < 1 else "level")


# --pairs ARCH:A/B ...: only those paired ratios (a re-check that timed a few cells, docs/gpu-matrix.md run 3)
if "--pairs" in sys.argv:
    for spec in sys.argv[sys.argv.index("--pairs") + 1:]:
        a, ab = spec.split(":")
        A, (va, vb) = Arch(a), ab.split("/")
        print(f"{a} {va} / {vb}: " + ", ".join(f"{sh} {fr(A.ratio(sh, va, vb))} {verdict(A.ratio(sh, va, vb))}"
                                               for sh in ("small", "large")))
    sys.exit(0)
archs = [Arch(a) for a in ARCHS if os.path.exists(f"{D}/{a}-meta.json") or glob.glob(f"{D}/time-{a}-r*.json")]
out = []
p = out.append

# ---- summary: Castaway's best against onnxruntime's best, per recipe
p("### Castaway's best model against onnxruntime's best pipeline, same block list\n")
p("Speed-up of the faster of Castaway's two models (on the exported model, on the optimizer's output) over the")
p("faster of onnxruntime's two (its tool; its optimizer then its fp16 conversion) that loads, paired by round")
p("(> 1: Castaway faster; ahead/level/behind by the 95% interval). \"-\": no model of that side loads.\n")
p("| architecture | recipe | small: Castaway's best / onnxruntime's best | small | large: Castaway's best / onnxruntime's best | large |")
p("|---|---|---|---:|---|---:|")
summary = []
for A in archs:
    for r in RECIPES:
        cells = []
        for shape in ("small", "large"):
            def best(vs):
                live = [(A.median_ms(shape, v), v) for v in vs if A.median_ms(shape, v) is not None]
                return min(live)[1] if live else None
            c, o = best([f"cw-{r}", f"cwopt-{r}"]), best([f"ort-{r}", f"ortopt-{r}"])
            rr = A.ratio(shape, c, o) if c and o else None
            cells.append((c, o, rr))
            summary.append((A.a, r, shape, c, o, rr))
        p(f"| {A.a} | {RLABEL[r]} | " + " | ".join(f"{c or '-'} / {o or '-'} | {fr(rr)} {verdict(rr)}" for c, o, rr in cells) + " |")

# ---- kernel parity
p("\n### Kernel parity: kernels per run at the small input (onnxruntime's profiler, CUDA EP)\n")
p("Castaway's model against onnxruntime's tool's (and Castaway on the optimizer's output against the optimizer's")
p("fp16 model) for the same block list. **bold**: Castaway's runs more kernels (a parity violation).\n")
p("| architecture | recipe | fp32 | Castaway | onnxruntime tool | Castaway on optimizer output | optimizer + its fp16 | fp32 optimizer output |")
p("|---|---|---:|---:|---:|---:|---:|---:|")
violations = []
for A in archs:
    for r in RECIPES:
        def k(v):
            x = A.kernels(v)
            return "-" if x is None else str(x)
        def parity_row(label, pairs):
            """One table row: each Castaway model's kernels beside its onnxruntime peer's, a violation in bold."""
            row = [k("fp32")]
            for c, o in pairs:
                kc, ko = A.kernels(c), A.kernels(o)
                bad = kc is not None and ko is not None and kc > ko
                if bad:
                    violations.append((A, c, o, kc, ko))
                row += [f"**{kc}**" if bad else k(c), k(o)]
            row.append(k("opt-fp32"))
            p(f"| {A.a} | {label} | " + " | ".join(row) + " |")
        parity_row(RLABEL[r], ((f"cw-{r}", f"ort-{r}"), (f"cwopt-{r}", f"ortopt-{r}")))
        if r == "norms":  # the strict-mode recipe blocks the same list: onnxruntime's norms models are its peers
            parity_row(f"{RLABEL[r]}, strict-mode recipe", (("cw-strict", "ort-norms"), ("cwopt-strict", "ortopt-norms")))

p("\n### Parity violations: op types that differ in the graphs onnxruntime ran\n")
if not violations:
    p("None.\n")
for A, c, o, kc, ko in violations:
    gc, go = A.graphs["optimized"].get(c, {}).get("ops", {}), A.graphs["optimized"].get(o, {}).get("ops", {})
    diff = sorted(((op, gc.get(op, 0), go.get(op, 0)) for op in set(gc) | set(go) if gc.get(op, 0) != go.get(op, 0)), key=lambda x: -abs(x[1] - x[2]))
    kd = sorted(((op, round(A.prof[c]["byOp"].get(op, {}).get("count", 0)), round(A.prof[o]["byOp"].get(op, {}).get("count", 0)))
                 for op in set(A.prof[c]["byOp"]) | set(A.prof[o]["byOp"])), key=lambda x: -abs(x[1] - x[2]))
    kd = [x for x in kd if x[1] != x[2]]
    p(f"- **{A.a}, {c} ({kc}) vs {o} ({ko})**: optimized-graph nodes (Castaway / onnxruntime): "
      + (", ".join(f"{op} {x}/{y}" for op, x, y in diff[:12]) or "same op counts")
      + "; kernels per run by op: " + (", ".join(f"{op} {x}/{y}" for op, x, y in kd[:10]) or "same"))

# ---- noise floor: pairs that ran the same graph
p("\n### Noise floor: pairs of models whose optimized graphs (as onnxruntime ran them) have the same op counts\n")
p("Castaway's model against onnxruntime's for the same recipe where the graphs onnxruntime ran have identical op")
p("counts (in most cases the files differ only in value_info and node names). Their paired ratios show what")
p("this setup calls a difference between two equal graphs. The block-list pairs are left out: there Castaway's")
p("output stays fp32 where onnxruntime's tool casts it to fp16, a real difference in what is copied back.\n")
p("| architecture | pair | small | large |")
p("|---|---|---:|---:|")
for A in archs:
    for r in ("default", "norms"):
        for c, o in ((f"cw-{r}", f"ort-{r}"), (f"cwopt-{r}", f"ortopt-{r}")):
            gc, go = A.graphs["optimized"].get(c, {}).get("ops"), A.graphs["optimized"].get(o, {}).get("ops")
            if gc and go and gc == go and A.median_ms("small", c) and A.median_ms("small", o):
                p(f"| {A.a} | {c} / {o} | {fr(A.ratio('small', c, o))} | {fr(A.ratio('large', c, o))} |")

# ---- norms within 5% of default
p("\n### Norms and Softmax in fp32 against the default recipe (Castaway's models)\n")
p("Best of Castaway's two models per recipe; \"strict\": the norms recipe with skipLayerNormStrictMode (for sessions")
p("that set enable_skip_layer_norm_strict_mode; timed without it, see the notes).\n")
p("| architecture | small: norms vs default | large: norms vs default | small: strict vs default | large: strict vs default |")
p("|---|---:|---:|---:|---:|")
for A in archs:
    cells = []
    for nv in (["cw-norms", "cwopt-norms"], ["cw-strict", "cwopt-strict"]):
        for shape in ("small", "large"):
            def best(vs):
                live = [(A.median_ms(shape, v), v) for v in vs if A.median_ms(shape, v) is not None]
                return min(live)[1] if live else None
            n, d = best(nv), best(["cw-default", "cwopt-default"])
            cells.append(f"{n} vs {d}: {fr(A.ratio(shape, n, d))}" if n and d else "-")
    p(f"| {A.a} | " + " | ".join(cells) + " |")

# ---- per architecture
for A in archs:
    m = A.meta
    p(f"\n#### {A.a}\n")
    p(f"{m.get('params_m', '?')}M parameters, {m.get('exporter', '?')}; optimizer model_type `{m.get('model_type')}` "
      f"(num_heads {m.get('num_heads')}, hidden_size {m.get('hidden_size')}); small input {m.get('small')}, large "
      f"{m.get('large')}; rounds per process small/large: "
      + ", ".join(f"{t['shapes'][s]['rounds']}x{t['shapes'][s]['k']}" for t in A.times[:1] for s in ('small', 'large') if s in t['shapes'])
      + f", {len(A.times)} processes (load orders {[t['rot'] for t in A.times]}).\n")
    p("| model | loads | nodes | Casts | kernels (small) | small ms | vs fp32 (95% CI) | large ms | vs fp32 (95% CI) | max abs err (large) | cosine |")
    p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for v in VARIANTS:
        if not A.exists(v) and v not in A.cw and v not in A.ort:
            continue
        g = A.graphs["models"].get(v, {})
        sm, lg = A.median_ms("small", v), A.median_ms("large", v)
        e = A.err("large", v) or A.err("small", v)
        es = "-" if not e or "maxAbs" not in e else (f"{e['maxAbs']:.2e}" + (f" ({e['nonFinite']} non-finite)" if e.get("nonFinite") else ""))
        cs = "-" if not e or "cosine" not in e else f"{e['cosine']:.6f}"
        if v == "fp32":
            es, cs = "(reference)", ""
        p(f"| {LABEL[v]} | {A.load_status(v)} | {g.get('nodes', '-')} | {g.get('casts', '-')} | {A.kernels(v) or '-'} | "
          f"{'-' if sm is None else f'{sm:.2f}'} | {fr(A.ratio('small', v, 'fp32')) if v != 'fp32' else '1.00x'} | "
          f"{'-' if lg is None else f'{lg:.2f}'} | {fr(A.ratio('large', v, 'fp32')) if v != 'fp32' else '1.00x'} | {es} | {cs} |")
print("\n".join(out))
