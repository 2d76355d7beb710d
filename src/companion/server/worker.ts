// The companion's inference process (child_process.fork of this file). One job at a time, sent by the
// server's JobQueue over IPC; the model bytes follow on stdin (a plain pipe: much faster than IPC
// serialization for large models). onnxruntime's run is synchronous native code, so a runaway run can only be
// stopped by killing this process, which the server does on timeout and then starts a fresh one.
//
// Keeps the last session (keyed by the model's hash and session options) so a run then a bench of the same
// model loads it once.

import { CompanionError, isErrorCode } from '../shared/errors.js';
import type { BenchParams, ErrorCode, RunParams } from '../shared/protocol.js';
import { benchModel, machineInfo, openSession, probeEps, runModel, type OpenSession } from './runner.js';

export type ToWorker =
  | { type: 'probe'; id: number }
  | {
      type: 'job';
      id: number;
      kind: 'run' | 'bench';
      params: RunParams | BenchParams;
      /** Cache key (hash of the bytes + session options) and the byte count that follows on stdin (0: cached). */
      modelKey: string;
      modelBytes: number;
      maxOutputBytes: number;
    };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown; cachedKey: string | null }
  | { type: 'result'; id: number; ok: false; error: { code: ErrorCode; message: string }; cachedKey: string | null };

// ---- stdin byte reader: bytes may arrive before or after the job message.
let pending: Buffer[] = [];
let pendingLen = 0;
let waiter: { need: number; resolve: (b: Buffer) => void } | undefined;

function tryDeliver(): void {
  if (!waiter || pendingLen < waiter.need) return;
  const all = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingLen);
  const need = waiter.need;
  const out = all.subarray(0, need);
  const rest = all.subarray(need);
  pending = rest.length ? [rest] : [];
  pendingLen = rest.length;
  const w = waiter;
  waiter = undefined;
  w.resolve(out);
}

function readBytes(need: number): Promise<Buffer> {
  return new Promise((resolve) => {
    waiter = { need, resolve };
    tryDeliver();
  });
}

// ---- session cache
let cached: { key: string; open: OpenSession } | undefined;

async function dropCache(): Promise<void> {
  if (cached) {
    const s = cached.open.session;
    cached = undefined;
    await s.release().catch(() => undefined);
  }
}

function send(m: FromWorker): void {
  process.send?.(m);
}

let onFirstJobAnswered: (() => void) | undefined;

/**
 * Calls `f` once, after the first run or bench has been answered (not the probe): bin/companion-worker.mjs
 * writes its V8 code cache then, when the functions a job needs have been compiled.
 */
export function afterFirstJob(f: () => void): void {
  onFirstJobAnswered = f;
}

function firstJobAnswered(): void {
  const f = onFirstJobAnswered;
  onFirstJobAnswered = undefined;
  f?.();
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'probe') {
    try {
      send({ type: 'result', id: msg.id, ok: true, value: await machineInfo(), cachedKey: cached?.key ?? null });
    } catch (e) {
      send({ type: 'result', id: msg.id, ok: false, error: toWire(e), cachedKey: cached?.key ?? null });
    }
    return;
  }
  try {
    let open: OpenSession;
    let wasCached = false;
    if (msg.modelBytes > 0) {
      const bytes = await readBytes(msg.modelBytes);
      await dropCache();
      open = await openSession(bytes, msg.params);
      cached = { key: msg.modelKey, open };
    } else if (cached && cached.key === msg.modelKey) {
      open = cached.open;
      wasCached = true;
    } else {
      throw new CompanionError('internal', 'the inference process lost the cached model; send it again');
    }
    const session = {
      ep: open.ep,
      ...(open.fallback ? { fallback: open.fallback } : {}),
      sessionCreateMs: wasCached ? 0 : open.sessionCreateMs,
      cached: wasCached,
    };
    const value =
      msg.kind === 'run'
        ? { ...session, ...(await runModel(open, msg.params as RunParams, msg.maxOutputBytes)) }
        : { ...session, ...(await benchModel(open, msg.params as BenchParams)) };
    send({ type: 'result', id: msg.id, ok: true, value, cachedKey: cached?.key ?? null });
    firstJobAnswered();
  } catch (e) {
    const err = toWire(e);
    if (err.code === 'bad-model') await dropCache();
    send({ type: 'result', id: msg.id, ok: false, error: err, cachedKey: cached?.key ?? null });
  }
}

function toWire(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof CompanionError && isErrorCode(e.code)) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

if (process.send) {
  process.stdin.on('data', (d: Buffer) => {
    pending.push(d);
    pendingLen += d.length;
    tryDeliver();
  });
  // jobs are strictly sequential (the server sends one at a time); chain them anyway
  let chain = Promise.resolve();
  process.on('message', (m: ToWorker) => {
    chain = chain.then(() => handle(m));
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
  // load onnxruntime and probe the CUDA EP now, so the first job does not pay for it
  probeEps().catch(() => undefined);
}
