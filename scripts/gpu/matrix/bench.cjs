// The GPU matrix's timings and kernel counts for one architecture (docs/gpu-matrix.md), onnxruntime-node with
// the CUDA EP. Plain CommonJS: it runs on the GPU machine's staged Node, where onnxruntime-node resolves
// through NODE_PATH.
//
//   node bench.cjs DIR time OUT.json ROT     every model of DIR loaded in one process, in the list order
//        rotated by ROT (the first session created runs 3-5% faster: rotating across processes spreads that);
//        then, at the small and at the large input: one run each for the error against fp32 (max abs, cosine),
//        warm-up, and rounds in which every model runs K times back to back (the model that starts a round
//        rotates); a round's figure is the median of its K runs. Ratios are paired by round later
//        (make_matrix.py), pooled over processes.
//   node bench.cjs DIR profile OUT.json      one model at a time: onnxruntime's profiler at the small input
//        (kernels per run by op type and EP), and the graph as onnxruntime runs it saved to DIR/optimized/.
// env: CW_SMALL / CW_LARGE = "warmup,rounds,K" (default 10,10,3 and 2,6,2)
//      CW_MODELS = "fp32 cw-block ..." only these of DIR's models (a re-check re-times the cells that changed)
const ort = require(process.env.CASTAWAY_ORT_NODE || 'onnxruntime-node');
const fs = require('fs');
const path = require('path');

const VARIANTS = ['fp32', 'ort-default', 'ort-norms', 'ort-block', 'cw-default', 'cw-norms', 'cw-strict', 'cw-block',
  'opt-fp32', 'ortopt-default', 'ortopt-norms', 'ortopt-block', 'cwopt-default', 'cwopt-norms', 'cwopt-strict', 'cwopt-block',
  // *-strict: the norms recipe for sessions with enable_skip_layer_norm_strict_mode (recipes/norms-strict.json);
  // onnxruntime-node cannot set CUDA provider options (its binding passes deviceId only), so they run
  // without it here: kernel counts and speed of the fp16-I/O norms, not the strict kernel's accuracy
  // bf16 (prepare.sh with CW_LOW=bf16): float32 graph inputs/outputs, since onnxruntime-node has no bfloat16 tensors
  'cw-bf16-default', 'cw-bf16-norms', 'cwopt-bf16-default', 'cwopt-bf16-norms'];
const [DIR, MODE, OUTFILE, ROT] = process.argv.slice(2);
const meta = JSON.parse(fs.readFileSync(`${DIR}/meta.json`, 'utf8'));
const EP = process.env.CW_EP || 'cuda';

// float32 -> float16 bits, round to nearest even (inputs are generated on the fp16 grid, so every model sees
// the same values whatever its input type)
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(v) {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const e = ((x >>> 23) & 0xff) - 112;
  let m = x & 0x7fffff;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}
function fromHalf(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const valueCache = new Map();
function values(spec, n, shapeKey) {
  const key = `${spec.name}:${n}:${shapeKey}`;
  if (valueCache.has(key)) return valueCache.get(key);
  const r = rng(12345 + spec.name.length);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (spec.kind === 'ones') v[i] = 1;
    else if (spec.kind === 'ids') v[i] = Math.floor(r() * meta.vocab);
    else if (spec.kind === 'timestep') v[i] = 1 + Math.floor(r() * 998);
    else v[i] = fromHalf(toHalf(Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())));
  }
  valueCache.set(key, v);
  return v;
}
function feedsFor(sess, dims, shapeKey) {
  const feeds = {};
  for (const m of sess.inputMetadata) {
    const spec = meta.inputs.find((x) => x.name === m.name);
    if (!spec) throw new Error(`input ${m.name} not in meta.json`);
    const shape = m.shape.map((d) => {
      if (typeof d === 'number' && d > 0) return d;
      if (typeof d === 'string' && dims[d] !== undefined) return dims[d];
      throw new Error(`input ${m.name}: no size for dim ${JSON.stringify(d)}`);
    });
    const n = shape.reduce((a, x) => a * x, 1);
    const v = values(spec, n, shapeKey);
    if (m.type === 'int64') feeds[m.name] = new ort.Tensor('int64', BigInt64Array.from(v, (x) => BigInt(x)), shape);
    else if (m.type === 'int32') feeds[m.name] = new ort.Tensor('int32', Int32Array.from(v), shape);
    else if (m.type === 'float16') feeds[m.name] = new ort.Tensor('float16', Uint16Array.from(v, toHalf), shape);
    else if (m.type === 'float32') feeds[m.name] = new ort.Tensor('float32', Float32Array.from(v), shape);
    else throw new Error(`input ${m.name}: type ${m.type}`);
  }
  return feeds;
}
function asF64(t) {
  if (t.type === 'float16') return Float64Array.from(t.data, fromHalf);
  return Float64Array.from(t.data);
}
function compare(ref, out) {
  if (ref.length !== out.length) return { error: `size ${out.length} vs ${ref.length}` };
  let maxAbs = 0, dot = 0, na = 0, nb = 0, nonFinite = 0;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i], b = out[i];
    if (!Number.isFinite(b)) { nonFinite++; continue; }
    maxAbs = Math.max(maxAbs, Math.abs(a - b));
    dot += a * b; na += a * a; nb += b * b;
  }
  return { maxAbs, cosine: dot / Math.sqrt(na * nb), nonFinite };
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const h = s.length >> 1; return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2; };
const opts = (extra) => ({ executionProviders: [EP], graphOptimizationLevel: 'all', logSeverityLevel: 3, ...extra });
const only = process.env.CW_MODELS ? new Set(process.env.CW_MODELS.split(/[\s,]+/).filter(Boolean)) : null;
const present = () => VARIANTS.filter((v) => (!only || only.has(v)) && fs.existsSync(`${DIR}/${v}.onnx`));

async function timeMode() {
  const rot = Number(ROT || 0);
  const names = present();
  const order = names.map((_, i) => names[(i + rot) % names.length]);
  const res = { arch: meta.arch, mode: 'time', rot, order, loads: {}, shapes: {} };
  const sessions = [];
  for (const v of order) {
    const t0 = performance.now();
    try {
      const s = await ort.InferenceSession.create(`${DIR}/${v}.onnx`, opts({}));
      sessions.push([v, s]);
      res.loads[v] = { ok: true, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      res.loads[v] = { ok: false, error: String(e.message || e).slice(0, 400) };
    }
  }
  for (const key of ['small', 'large']) {
    const [warm, rounds, k] = (process.env[key === 'small' ? 'CW_SMALL' : 'CW_LARGE'] || (key === 'small' ? '10,10,3' : '2,6,2')).split(',').map(Number);
    const dims = meta[key];
    const sh = { dims, warm, rounds, k, errors: {}, runErrors: {}, rounds_ms: {} };
    res.shapes[key] = sh;
    const live = [];
    const outs = new Map();
    for (const [v, s] of sessions) {
      try {
        const feeds = feedsFor(s, dims, key);
        const out = await s.run(feeds);
        outs.set(v, asF64(out[s.outputNames[0]]));
        live.push([v, s, feeds]);
      } catch (e) {
        sh.runErrors[v] = String(e.message || e).slice(0, 400);
      }
    }
    const ref = outs.get('fp32');
    if (ref) for (const [v, y] of outs) if (v !== 'fp32') sh.errors[v] = compare(ref, y);
    outs.clear();
    for (const [, s, feeds] of live) for (let i = 0; i < warm; i++) await s.run(feeds);
    for (const [v] of live) sh.rounds_ms[v] = [];
    for (let r = 0; r < rounds; r++) {
      for (let j = 0; j < live.length; j++) {
        const [v, s, feeds] = live[(j + r) % live.length];
        const ts = [];
        for (let i = 0; i < k; i++) {
          const t0 = performance.now();
          await s.run(feeds);
          ts.push(performance.now() - t0);
        }
        sh.rounds_ms[v].push(median(ts));
      }
    }
    console.log(`${meta.arch} rot ${rot} ${key}: ` + live.map(([v]) => `${v} ${median(sh.rounds_ms[v]).toFixed(2)}`).join(', '));
  }
  for (const [, s] of sessions) await s.release();
  return res;
}

async function profileMode() {
  const res = { arch: meta.arch, mode: 'profile', kernels: {} };
  const optDir = `${DIR}/optimized`;
  fs.mkdirSync(optDir, { recursive: true });
  const runs = 5;
  for (const v of present()) {
    const prefix = `${DIR}/prof-${v}`;
    let s;
    try {
      s = await ort.InferenceSession.create(`${DIR}/${v}.onnx`, opts({ enableProfiling: true, profileFilePrefix: prefix, optimizedModelFilePath: `${optDir}/${v}.onnx` }));
    } catch (e) {
      res.kernels[v] = { error: String(e.message || e).slice(0, 300) };
      continue;
    }
    try {
      const feeds = feedsFor(s, meta.small, 'small');
      for (let i = 0; i < 3 + runs; i++) await s.run(feeds);
      s.endProfiling();
      const f = fs.readdirSync(DIR).filter((x) => x.startsWith(`prof-${v}_`)).sort().pop();
      const ev = JSON.parse(fs.readFileSync(`${DIR}/${f}`, 'utf8'));
      fs.unlinkSync(`${DIR}/${f}`);
      const runsEv = ev.filter((e) => e.name === 'model_run').slice(-runs);
      const t0 = runsEv[0].ts;
      const by = {};
      let total = 0, count = 0;
      for (const e of ev) {
        if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < t0) continue;
        const key = `${e.args.op_name}@${(e.args.provider || '').replace('ExecutionProvider', '')}`;
        by[key] ??= { ms: 0, count: 0 };
        by[key].ms += e.dur / runs / 1000;
        by[key].count += 1 / runs;
        total += e.dur / runs / 1000;
        count += 1 / runs;
      }
      res.kernels[v] = { perRun: Math.round(count), kernelMs: total, modelRunMs: runsEv.reduce((a, e) => a + e.dur, 0) / runs / 1000, byOp: by };
      console.log(`${meta.arch} ${v}: ${Math.round(count)} kernels, ${total.toFixed(2)} ms`);
    } catch (e) {
      res.kernels[v] = { error: String(e.message || e).slice(0, 300) };
    }
    await s.release();
  }
  return res;
}

(async () => {
  ort.env.logLevel = 'error';
  const res = MODE === 'profile' ? await profileMode() : await timeMode();
  res.ep = EP;
  fs.writeFileSync(OUTFILE, JSON.stringify(res));
})().catch((e) => { console.error(e); process.exit(1); });
