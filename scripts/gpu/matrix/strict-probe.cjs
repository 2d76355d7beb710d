// Can onnxruntime-node turn on the CUDA EP option enable_skip_layer_norm_strict_mode? Its binding
// (js/node/src/session_options_helper.cc) passes only deviceId to the CUDA EP; this tries the two other
// doors a user has: the option as a key of the provider object, and a session config entry
// ("ep.cuda.enable_skip_layer_norm_strict_mode" in `extra`). The strict kernel computes statistics in fp32,
// the default one in fp16, so outputs that differ bit for bit from the plain session's mean the option took.
//   node strict-probe.cjs DIR MODEL...   (DIR with meta.json and fp32.onnx from the matrix; MODEL: file stems)
const ort = require(process.env.CASTAWAY_ORT_NODE || 'onnxruntime-node');
const fs = require('fs');
const [DIR, ...models] = process.argv.slice(2);
const meta = JSON.parse(fs.readFileSync(`${DIR}/meta.json`, 'utf8'));
const ways = {
  plain: { executionProviders: ['cuda'] },
  providerKey: { executionProviders: [{ name: 'cuda', enable_skip_layer_norm_strict_mode: '1' }] },
  sessionConfig: { executionProviders: ['cuda'], extra: { 'ep.cuda.enable_skip_layer_norm_strict_mode': '1' } },
};
function feeds(sess) {
  const f = {};
  for (const m of sess.inputMetadata) {
    const shape = m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : meta.small[d]));
    const n = shape.reduce((a, x) => a * x, 1);
    const spec = meta.inputs.find((x) => x.name === m.name);
    const v = Array.from({ length: n }, (_, i) => (spec.kind === 'ones' ? 1 : (i * 7919) % meta.vocab));
    f[m.name] = new ort.Tensor('int64', BigInt64Array.from(v, (x) => BigInt(x)), shape);
  }
  return f;
}
const half = (h) => { const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023; return e === 0 ? s * m * 2 ** -24 : e === 31 ? NaN : s * (1 + m / 1024) * 2 ** (e - 15); };
const asF64 = (t) => (t.type === 'float16' ? Float64Array.from(t.data, half) : Float64Array.from(t.data));
async function run(file, opts) {
  const s = await ort.InferenceSession.create(file, { graphOptimizationLevel: 'all', logSeverityLevel: 3, ...opts });
  const out = await s.run(feeds(s));
  await s.release();
  return asF64(out[s.outputNames[0]]);
}
(async () => {
  const ref = await run(`${DIR}/fp32.onnx`, ways.plain);
  const res = {};
  for (const m of models) {
    const outs = {};
    for (const [w, o] of Object.entries(ways)) {
      try { outs[w] = await run(`${DIR}/${m}.onnx`, o); } catch (e) { res[`${m}/${w}`] = { error: String(e.message || e).slice(0, 300) }; }
    }
    for (const [w, y] of Object.entries(outs)) {
      let maxRef = 0, maxPlain = 0, differ = 0;
      for (let i = 0; i < y.length; i++) {
        maxRef = Math.max(maxRef, Math.abs(y[i] - ref[i]));
        const d = Math.abs(y[i] - outs.plain[i]);
        maxPlain = Math.max(maxPlain, d);
        if (d > 0) differ++;
      }
      res[`${m}/${w}`] = { maxAbsVsFp32: maxRef, maxAbsVsPlain: maxPlain, elementsDifferingFromPlain: differ };
    }
  }
  console.log(JSON.stringify(res, null, 1));
})().catch((e) => { console.error(e); process.exit(1); });
