// The companion server on the GPU machine: start .gpu-bundle/companion.cjs, ask /info, /run and /bench for a
// fixture over HTTP as the app would (Origin + token), print the answers, stop it.
// usage: node scripts/gpu/companion-smoke.cjs [model.onnx] [dims JSON]
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');

const model = process.argv[2] || 'fixtures/models/pegasus-small-o14-encoder.onnx';
const dims = JSON.parse(process.argv[3] || '{"batch":1,"seq":128}');
const ORIGIN = 'http://127.0.0.1:5173';
const bundle = path.join(__dirname, '../../.gpu-bundle/companion.cjs');
const child = spawn(process.execPath, [bundle, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
let out = '';
const timer = setTimeout(() => { console.error('companion did not start'); child.kill(); process.exit(1); }, 60000);
child.stdout.on('data', async (d) => {
  process.stdout.write(d);
  out += d;
  if (!/onnxruntime-node \S+, Node/.test(out) || out.includes('__done')) return;
  out += '__done';
  clearTimeout(timer);
  const url = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/.exec(out);
  const [base, token] = [url[1], url[2]];
  const h = { origin: ORIGIN, 'x-castaway-token': token };
  const bytes = readFileSync(model);
  const post = (p, params) => fetch(base + p, { method: 'POST', body: bytes,
    headers: { ...h, 'content-type': 'application/octet-stream', 'x-castaway-params': JSON.stringify(params) } }).then((r) => r.json());
  try {
    const info = await fetch(base + '/info', { headers: h }).then((r) => r.json());
    console.log('INFO', JSON.stringify(info));
    const run = await post('/run', { dims, ep: 'auto' });
    console.log('RUN', JSON.stringify({ ...run, outputs: Object.fromEntries(Object.entries(run.outputs || {}).map(([k, v]) => [k, v.dims])) }));
    const bench = await post('/bench', { dims, runs: 50, warmup: 10 });
    console.log('BENCH', JSON.stringify({ ...bench, timesMs: undefined }));
    const bad = await fetch(base + '/info', { headers: { ...h, origin: 'http://evil.example' } });
    console.log('WRONG ORIGIN', bad.status);
  } catch (e) {
    console.error('smoke test failed', e);
    process.exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }
});
