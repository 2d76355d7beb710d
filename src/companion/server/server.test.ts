// The companion server on the CPU EP: token, origin and host checks, upload limit, malformed models,
// queueing, timeouts of runaway runs, and that it keeps serving after each.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompanionClient } from '../shared/client.js';
import { CompanionError } from '../shared/errors.js';
import {
  FRAMED_CONTENT_TYPE,
  PARAMS_HEADER,
  TOKEN_HEADER,
  decodeTensor,
  encodeJobBody,
  type BenchResponse,
  type InfoResponse,
  type RunResponse,
} from '../shared/protocol.js';
import { startCompanion, type CompanionServer } from './server.js';
import { matmulModel, runawayLoopModel } from './tiny-models.js';

const ORIGIN = 'http://127.0.0.1:5173';
const TOKEN = 'test-token-0123456789';
const MAX_UPLOAD = 2 * 2 ** 20;
const TIMEOUT_MS = 8000;
const PEGASUS = readFileSync(fileURLToPath(new URL('../../../fixtures/models/pegasus-small-o14-encoder.onnx', import.meta.url)));

let c: CompanionServer;

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A raw request, so tests control Host, Origin and the body exactly. */
function raw(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Uint8Array | Uint8Array[]; chunked?: boolean } = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { host: `127.0.0.1:${c.port}`, ...opts.headers };
    const parts = opts.body === undefined ? [] : Array.isArray(opts.body) ? opts.body : [opts.body];
    if (!opts.chunked && opts.body !== undefined) headers['content-length'] = parts.reduce((a, p) => a + p.length, 0);
    const req = http.request({ host: '127.0.0.1', port: c.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    // The server may answer (413) and close before the whole body is sent: that is fine here.
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    (async () => {
      for (const p of parts) {
        if (!req.write(p)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => undefined);
  });
}

const auth = { origin: ORIGIN, [TOKEN_HEADER]: TOKEN };

/** fetch with the app's Origin, as the browser sends it. */
const appFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('origin', ORIGIN);
  return fetch(input, { ...init, headers });
};

function client(): CompanionClient {
  return new CompanionClient({ baseUrl: c.baseUrl, token: TOKEN, fetch: appFetch });
}

async function stillServing(): Promise<void> {
  const r = await raw('GET', '/info', { headers: auth });
  expect(r.status).toBe(200);
  expect((r.json as InfoResponse).service).toBe('castaway-companion');
}

beforeAll(async () => {
  c = await startCompanion({
    port: 0,
    token: TOKEN,
    origins: [ORIGIN],
    maxUploadBytes: MAX_UPLOAD,
    timeoutMs: TIMEOUT_MS,
    maxQueue: 16,
    workerEnv: { ...process.env, CASTAWAY_DISABLE_CUDA: '1' },
  });
  await c.machine;
});

afterAll(async () => {
  await c?.close();
});

describe('companion: access control', () => {
  it('prints a 127.0.0.1 URL with the token and binds 127.0.0.1 only', () => {
    expect(c.url).toBe(`http://127.0.0.1:${c.port}/?token=${TOKEN}`);
    const addr = c.server.address();
    expect(typeof addr === 'object' && addr?.address).toBe('127.0.0.1');
  });

  it('answers /info with device, EPs and versions', async () => {
    const info = await client().info();
    expect(info.ep).toBe('cpu');
    expect(info.eps.find((e) => e.name === 'cuda')).toMatchObject({ available: false });
    expect(info.eps.find((e) => e.name === 'cuda')?.note).toMatch(/disabled|unavailable/);
    expect(info.versions.onnxruntime).toMatch(/^1\.\d+/);
    expect(info.versions.node).toBe(process.version);
    expect(info.device.kind).toBe('cpu');
    expect(info.limits).toEqual({ maxUploadBytes: MAX_UPLOAD, timeoutMs: TIMEOUT_MS, maxQueue: 16 });
  });

  it('refuses a missing token with 401', async () => {
    const r = await raw('GET', '/info', { headers: { origin: ORIGIN } });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('unauthorized');
    expect(r.json.error.message).toMatch(/token/);
  });

  it('refuses a wrong token with 403, in the header or as Bearer', async () => {
    const r = await raw('GET', '/info', { headers: { origin: ORIGIN, [TOKEN_HEADER]: 'nope' } });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/wrong token/);
    const b = await raw('GET', '/info', { headers: { origin: ORIGIN, authorization: `Bearer ${TOKEN}x` } });
    expect(b.status).toBe(403);
    const ok = await raw('GET', '/info', { headers: { origin: ORIGIN, authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('refuses a wrong Origin with 403 even with the right token, and gives it no CORS header', async () => {
    const r = await raw('GET', '/info', { headers: { origin: 'http://evil.example', [TOKEN_HEADER]: TOKEN } });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/origin 'http:\/\/evil.example' is not allowed/);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const noOrigin = await raw('GET', '/info', { headers: { [TOKEN_HEADER]: TOKEN } });
    expect(noOrigin.status).toBe(403);
    const run = await raw('POST', '/run', { headers: { origin: 'http://localhost:9999', [TOKEN_HEADER]: TOKEN }, body: matmulModel() });
    expect(run.status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding) with 403', async () => {
    const r = await raw('GET', '/info', { headers: { ...auth, host: `evil.example:${c.port}` } });
    expect(r.status).toBe(403);
    expect(r.json.error.message).toMatch(/Host/);
  });

  it('answers the preflight of the app origin only', async () => {
    const ok = await raw('OPTIONS', '/run', {
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': TOKEN_HEADER },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(ok.headers['access-control-allow-headers']).toContain(TOKEN_HEADER);
    const bad = await raw('OPTIONS', '/run', { headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(bad.status).toBe(403);
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves the landing page for the printed URL only with the token', async () => {
    expect((await raw('GET', `/?token=${TOKEN}`)).status).toBe(200);
    expect((await raw('GET', '/?token=bad')).status).toBe(403);
    expect((await raw('GET', '/')).status).toBe(401);
  });

  it('the client reports its status: connected, refused (wrong token) or unreachable', async () => {
    expect((await client().status()).state).toBe('connected');
    const wrong = await new CompanionClient({ baseUrl: c.baseUrl, token: 'bad', fetch: appFetch }).status();
    expect(wrong).toMatchObject({ state: 'refused', code: 'forbidden' });
    const url = CompanionClient.fromUrl(`http://127.0.0.1:5173/#companion=${encodeURIComponent(c.baseUrl)}&token=${TOKEN}`, appFetch);
    expect((await url.status()).state).toBe('connected');
    const gone = await new CompanionClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN, fetch: appFetch }).status();
    expect(gone.state).toBe('unreachable');
  });

  it('has no endpoint that takes a path', async () => {
    const r = await raw('GET', '/run?model=/etc/passwd', { headers: auth });
    expect(r.status).toBe(405);
    const n = await raw('GET', '/file/etc/passwd', { headers: auth });
    expect(n.status).toBe(404);
    await stillServing();
  });
});

describe('companion: uploads and models', () => {
  it('refuses an upload over the limit with 413 and a message, by Content-Length', async () => {
    const big = new Uint8Array(MAX_UPLOAD + 1024);
    const r = await raw('POST', '/run', { headers: { ...auth, 'content-type': 'application/octet-stream' }, body: big });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('payload-too-large');
    expect(r.json.error.message).toMatch(/over the companion's limit of 2097152 bytes \(2 MiB\).*--max-upload-mb/);
    await stillServing();
  });

  it('refuses a chunked upload that grows over the limit with 413', async () => {
    const chunk = new Uint8Array(256 * 1024);
    const r = await raw('POST', '/bench', {
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: Array.from({ length: 12 }, () => chunk),
      chunked: true,
    });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('payload-too-large');
    await stillServing();
  });

  it('the client reports 413 as a CompanionError', async () => {
    const err = await client()
      .run(new Uint8Array(MAX_UPLOAD + 10))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompanionError);
    expect((err as CompanionError).code).toBe('payload-too-large');
  });

  it("refuses a malformed model with 400 and onnxruntime's message", async () => {
    const garbage = new TextEncoder().encode('this is not an onnx model at all');
    const r = await raw('POST', '/run', { headers: { ...auth, 'content-type': 'application/octet-stream' }, body: garbage });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('bad-model');
    expect(r.json.error.message).toMatch(/protobuf parsing failed/);
    // a truncated real model
    const cut = await client()
      .run(PEGASUS.subarray(0, 5000), { dims: { batch: 1, seq: 8 } })
      .catch((e: unknown) => e);
    expect((cut as CompanionError).code).toBe('bad-model');
    await stillServing();
  });

  it('refuses malformed parameters with 400 naming the field', async () => {
    const r = await raw('POST', '/run', {
      headers: { ...auth, 'content-type': 'application/octet-stream', [PARAMS_HEADER]: '{"dims":{"batch":"one"}}' },
      body: matmulModel(),
    });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/dims.batch must be an integer/);
    const notJson = await raw('POST', '/run', {
      headers: { ...auth, 'content-type': 'application/octet-stream', [PARAMS_HEADER]: '{oops' },
      body: matmulModel(),
    });
    expect(notJson.status).toBe(400);
    const frame = await raw('POST', '/run', {
      headers: { ...auth, 'content-type': FRAMED_CONTENT_TYPE },
      body: Uint8Array.of(255, 255, 0, 0, 1),
    });
    expect(frame.status).toBe(400);
    expect(frame.json.error.message).toMatch(/framed body announces/);
    const empty = await raw('POST', '/run', { headers: { ...auth, 'content-type': 'application/octet-stream' }, body: new Uint8Array(0) });
    expect(empty.status).toBe(400);
  });

  it('says which symbolic dim is missing', async () => {
    const err = (await client()
      .run(PEGASUS)
      .catch((e: unknown) => e)) as CompanionError;
    expect(err.code).toBe('bad-input');
    expect(err.message).toMatch(/symbolic dim 'batch'.*give it in dims/);
  });
});

describe('companion: run and bench', () => {
  it('runs a model and returns its outputs (params in a header, bare model body)', async () => {
    const x = [1, 2, 3, 4, -1, 0, 0.5, 2];
    const r = await raw('POST', '/run', {
      headers: {
        ...auth,
        'content-type': 'application/octet-stream',
        [PARAMS_HEADER]: JSON.stringify({ inputs: { x: { type: 'float32', dims: [2, 4], values: x } } }),
      },
      body: matmulModel(),
    });
    expect(r.status).toBe(200);
    const res = r.json as RunResponse;
    expect(res.ep).toBe('cpu');
    expect(res.fallback).toMatch(/CUDA/);
    const y = decodeTensor(res.outputs.y) as Float32Array;
    expect(res.outputs.y.dims).toEqual([2, 3]);
    const W = Array.from({ length: 12 }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < 3; j++) {
        let s = j / 10;
        for (let k = 0; k < 4; k++) s += x[b * 4 + k] * W[k * 3 + j];
        expect(y[b * 3 + j]).toBeCloseTo(s, 5);
      }
    }
  });

  it('runs a transformer with generated inputs, reproducibly, and reuses the session', async () => {
    const params = { dims: { batch: 2, seq: 16 }, vocab: 500, seed: 3, returnInputs: true };
    const a = await client().run(PEGASUS, params);
    expect(a.inputs.map((i) => [i.name, i.source])).toEqual([
      ['input_ids', 'generated-ids'],
      ['attention_mask', 'generated-ones'],
    ]);
    expect(a.outputs.last_hidden_state.dims).toEqual([2, 16, 64]);
    const ids = decodeTensor(a.inputData!.input_ids) as BigInt64Array;
    expect(Math.max(...Array.from(ids, Number))).toBeLessThan(500);
    const b = await client().run(PEGASUS, params);
    expect(b.cached).toBe(true);
    expect(b.outputs.last_hidden_state.data).toBe(a.outputs.last_hidden_state.data);
  });

  it('benchmarks: warm-up then timed runs, median and p90', async () => {
    const r = await client().bench(PEGASUS, { ep: 'cpu', dims: { batch: 1, seq: 32 }, warmup: 2, runs: 7 });
    expect(r.ep).toBe('cpu');
    expect(r.fallback).toBeUndefined();
    expect(r.runs).toBe(7);
    expect(r.timesMs).toHaveLength(7);
    const sorted = [...r.timesMs].sort((p, q) => p - q);
    expect(r.medianMs).toBe(sorted[3]);
    expect(r.p90Ms).toBe(sorted[6]);
    expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
  });

  it('refuses the CUDA EP with a clear error when it is not there', async () => {
    const err = (await client()
      .bench(matmulModel(), { ep: 'cuda', dims: { batch: 1 } })
      .catch((e: unknown) => e)) as CompanionError;
    expect(err.code).toBe('ep-unavailable');
    expect(err.status).toBe(400);
  });
});

describe('companion: queue and timeouts', () => {
  // One runaway run serves both properties: it spins a core for the whole time limit (8 s of CPU), and a second
  // one only for the 504 cost as much again (docs/ci.md, third pass).
  it('queues concurrent requests behind a runaway run, stops it with 504 at the time limit, then runs them one at a time and keeps serving', async () => {
    const cl = client();
    const spawned = c.executor.spawned;
    const info = async () => ((await raw('GET', '/info', { headers: auth })).json as InfoResponse).queue;
    const until = async (ok: (q: InfoResponse['queue']) => boolean) => {
      for (let i = 0; i < 400; i++) {
        const q = await info();
        expect(q.running).toBeLessThanOrEqual(1);
        if (ok(q)) return q;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('queue never reached the expected state');
    };
    // A blocker first, so the others have to wait behind it. A runaway loop holds the runner for exactly
    // the companion's time limit, however loaded the machine is (a long benchmark instead either ended
    // before the queue filled on a fast machine or ran past the limit on a loaded one).
    const t0 = Date.now();
    const blocker = cl.run(runawayLoopModel(), { dims: { n: 1024 } }).catch((e: unknown) => e);
    await until((q) => q.running === 1);
    const jobs: Promise<RunResponse | BenchResponse>[] = [];
    for (let i = 0; i < 6; i++) {
      jobs.push(
        i % 2
          ? cl.bench(PEGASUS, { dims: { batch: 1, seq: 16 + i }, warmup: 1, runs: 3 })
          : cl.run(matmulModel(4 + i, 3), { dims: { batch: 1 + i } }),
      );
    }
    const seen = await until((q) => q.waiting >= 3);
    expect(seen.running).toBe(1);
    const err = (await blocker) as CompanionError;
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(CompanionError);
    expect(err.code).toBe('timeout');
    expect(err.status).toBe(504);
    expect(err.message).toMatch(/ran past the companion's limit of 8.0 s/);
    expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(took).toBeLessThan(TIMEOUT_MS + 10_000);
    // the jobs queued behind it all run, in the process that replaced the killed one
    const done = await Promise.all(jobs);
    expect(done).toHaveLength(6);
    done.forEach((d, i) => {
      if (i % 2) expect((d as BenchResponse).runs).toBe(3);
      else expect((d as RunResponse).outputs.y.dims).toEqual([1 + i, 3]);
    });
    expect(c.executor.spawned).toBe(spawned + 1); // the runaway process was killed and replaced
    expect(await info()).toEqual({ running: 0, waiting: 0 });
    await stillServing();
  });

  it('a framed body from encodeJobBody works the same as header params', async () => {
    const body = encodeJobBody({ dims: { batch: 3 } }, matmulModel());
    const r = await raw('POST', '/run', { headers: { ...auth, 'content-type': FRAMED_CONTENT_TYPE }, body });
    expect(r.status).toBe(200);
    expect((r.json as RunResponse).outputs.y.dims).toEqual([3, 3]);
  });
});
