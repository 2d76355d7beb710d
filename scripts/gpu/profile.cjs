// Where the time goes: onnxruntime's profiler on one model with the CUDA EP. Over the last N runs: the
// graph's time (model_run) and, by op type and EP, kernel time per run and how many kernels of that type one
// run executes (the graph as onnxruntime runs it, after its fusions). Prints one line and, with a 6th
// argument, appends the figures as a JSON line to that file.
// usage: node profile.cjs model.onnx batch seq vocab [runs] [out.jsonl]
const ort = require(process.env.CASTAWAY_ORT_NODE || 'onnxruntime-node');
const fs = require('fs');
const path = require('path');
(async () => {
  const [file, B, S, V, R, OUTFILE] = process.argv.slice(2);
  const b = +B, s = +S, vocab = +V, runs = +(R || 10);
  ort.env.logLevel = 'error';
  const work = process.env.CW_WORK || '/tmp/cw';
  const prefix = `${work}/prof-${path.basename(file, '.onnx')}-${b}x${s}`;
  const sess = await ort.InferenceSession.create(file, { executionProviders: [process.env.CW_EP || 'cuda'], enableProfiling: true, profileFilePrefix: prefix });
  const feeds = {};
  for (const m of sess.inputMetadata) {
    const dims = m.shape.map((d) => (typeof d === 'number' ? d : d === 'batch' ? b : s));
    const n = dims.reduce((a, x) => a * x, 1);
    if (m.type === 'int64') feeds[m.name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => (m.name.includes('mask') ? 1n : BigInt((i * 7919) % vocab))), dims);
    else if (m.type === 'float16') feeds[m.name] = new ort.Tensor('float16', new Uint16Array(n).fill(0x3800), dims);
    else feeds[m.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i)), dims);
  }
  for (let i = 0; i < 5 + runs; i++) await sess.run(feeds);
  sess.endProfiling();
  await sess.release();
  const f = fs.readdirSync(work).filter((x) => x.startsWith(path.basename(prefix))).sort().pop();
  const ev = JSON.parse(fs.readFileSync(`${work}/${f}`, 'utf8'));
  fs.unlinkSync(`${work}/${f}`);
  const runsEv = ev.filter((e) => e.name === 'model_run').slice(-runs);
  const t0 = runsEv[0].ts;
  const by = {};
  let total = 0;
  for (const e of ev) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < t0) continue;
    const k = `${e.args.op_name}@${(e.args.provider || '').replace('ExecutionProvider', '')}`;
    by[k] ??= { ms: 0, count: 0 };
    by[k].ms += e.dur / runs / 1000;
    by[k].count += 1 / runs;
    total += e.dur / runs;
  }
  const wall = runsEv.reduce((a, e) => a + e.dur, 0) / runs;
  const top = Object.entries(by).sort((x, y) => y[1].ms - x[1].ms).slice(0, 14);
  const kernels = Object.values(by).reduce((a, x) => a + x.count, 0);
  console.log(`${path.basename(file)} ${b}x${s}: model_run ${(wall / 1000).toFixed(2)} ms, ${Math.round(kernels)} kernels ${(total / 1000).toFixed(2)} ms; ` +
    top.map(([k, v]) => `${k} ${v.ms.toFixed(2)}`).join(', '));
  if (OUTFILE) {
    const row = { model: path.basename(file, '.onnx'), batch: b, seq: s, runs, modelRunMs: wall / 1000, kernelMs: total / 1000, byOp: by };
    fs.appendFileSync(OUTFILE, JSON.stringify(row) + '\n');
  }
})().catch((e) => { console.error(e); process.exit(1); });
