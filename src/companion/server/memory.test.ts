// Issue 10 #5: the companion's memory stays bounded. Uploads are admitted before their bodies are read and
// the bytes held across requests are capped (20 concurrent 16 MB uploads against a 48 MB cap), a declared
// Content-Length allocates nothing, idle uploads are dropped, and returnInputs counts toward the output cap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompanion, type CompanionServer } from './server.js';
import { postRun, type RunAnswer } from './test-post.js';
import { matmulModel } from './tiny-models.js';

const ORIGIN = 'http://127.0.0.1:5173';
const TOKEN = 'memory-test-token-0123456789';
const MB = 2 ** 20;
const CAP = 48 * MB;

let c: CompanionServer;

beforeAll(async () => {
  c = await startCompanion({
    port: 0,
    token: TOKEN,
    origins: [ORIGIN],
    maxUploadBytes: 32 * MB,
    maxHeldBytes: CAP,
    maxQueue: 16,
    maxOutputBytes: 64 * 1024,
    uploadIdleMs: 1000,
    workerEnv: { ...process.env, CASTAWAY_DISABLE_CUDA: '1' },
  });
  await c.machine;
});

afterAll(async () => {
  await c?.close();
});

/** POST /run with the model as the body; `send` bytes of it at most (then the upload stalls), Content-Length as declared. */
const post = (model: Uint8Array, params: object, opts: { declared?: number; send?: number } = {}) =>
  postRun(c.port, model, { origin: ORIGIN, token: TOKEN, params, ...opts, resetIsAnswer: true });

/** Samples the process's ArrayBuffer memory (request bodies live there) while `work` runs; the peak over the start. */
async function peakArrayBuffers(work: () => Promise<unknown>): Promise<number> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().arrayBuffers) - base;
}

describe('companion: memory under concurrent large uploads', () => {
  const model = matmulModel(2048, 2048); // a 16 MB weight
  it('holds at most the cap across 20 concurrent 16 MB uploads and answers each', async () => {
    let answers: RunAnswer[] = [];
    let maxHeld = 0;
    const watch = setInterval(() => (maxHeld = Math.max(maxHeld, c.uploads.held)), 1);
    const peak = await peakArrayBuffers(async () => {
      answers = await Promise.all(Array.from({ length: 20 }, () => post(model, { dims: { batch: 1 } })));
    });
    clearInterval(watch);
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 503 && a.code === 'queue-full').length;
    expect(ok).toBeGreaterThanOrEqual(1);
    expect(refused).toBeGreaterThanOrEqual(1);
    // a refused upload may also see its connection closed while it is still sending
    expect(ok + refused + answers.filter((a) => a.status === 0).length).toBe(20);
    expect(maxHeld).toBeLessThanOrEqual(CAP);
    // the bodies held (48 MB) plus one copy in flight; reading all 20 would be 320 MB
    expect(peak).toBeLessThan(160 * MB);
    expect(c.uploads.held).toBe(0);
  }, 120_000);

  it('allocates nothing for a declared Content-Length and drops an idle upload', async () => {
    let answer: RunAnswer | undefined;
    const peak = await peakArrayBuffers(async () => {
      answer = await post(model, {}, { declared: 31 * MB, send: 10 });
    });
    expect(peak).toBeLessThan(8 * MB);
    expect(answer!.ms).toBeGreaterThanOrEqual(900);
    expect(answer!.ms).toBeLessThan(10_000);
    // the server releases the reservation when it sees the connection closed
    for (let i = 0; i < 100 && c.uploads.held > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(c.uploads.held).toBe(0);
  });

  it('refuses a declared Content-Length over the bytes it may hold, before reading', async () => {
    const budget = c.uploads.limit;
    // fill the budget with one stalled upload, then ask for more than is left
    const stalled = post(model, {}, { declared: 30 * MB, send: 10 });
    await new Promise((r) => setTimeout(r, 100));
    const r = await post(model, { dims: { batch: 1 } }, { declared: budget - 30 * MB + 1, send: 0 });
    expect(r.status).toBe(503);
    expect(r.code).toBe('queue-full');
    await stalled;
  });

  it('applies the output cap to returnInputs', async () => {
    const wide = matmulModel(1024, 1); // x: [batch, 1024] in, y: [batch, 1] out
    const small = await post(wide, { dims: { batch: 32 } });
    expect(small.status).toBe(200);
    const withInputs = await post(wide, { dims: { batch: 32 }, returnInputs: true }); // 128 KB of inputs
    expect(withInputs.status).toBe(413);
    expect(withInputs.code).toBe('payload-too-large');
  });
});
