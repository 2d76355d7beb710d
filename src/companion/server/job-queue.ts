// One job at a time, the rest queued in order, each with a time limit. The jobs run in a separate process
// (worker.ts): onnxruntime's run is synchronous native code, so the only way to stop a runaway run is to kill
// that process; the queue then goes on with the next job in a fresh one, and the server never stops serving.

import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CompanionError } from '../shared/errors.js';
import type { BenchParams, RunParams } from '../shared/protocol.js';
import type { FromWorker, ToWorker } from './worker.js';

/** Runs one job at a time; abort() must stop the job in flight for good. */
export interface JobExecutor<J, R> {
  execute(job: J): Promise<R>;
  abort(reason: string): void;
}

export interface EnqueueOptions {
  /** Overrides the queue's default time limit for this job (ms). */
  timeoutMs?: number;
  /** Aborting removes a waiting job, or stops a running one (the client went away). */
  signal?: AbortSignal;
}

interface Entry<J, R> {
  job: J;
  opts: EnqueueOptions;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
  onAbort?: () => void;
}

export class JobQueue<J, R> {
  private waitingJobs: Entry<J, R>[] = [];
  private current: Entry<J, R> | undefined;
  private closed = false;

  constructor(
    private readonly executor: JobExecutor<J, R>,
    private readonly opts: { timeoutMs: number; maxWaiting: number },
  ) {}

  get running(): number {
    return this.current ? 1 : 0;
  }

  get waiting(): number {
    return this.waitingJobs.length;
  }

  enqueue(job: J, opts: EnqueueOptions = {}): Promise<R> {
    if (this.closed) return Promise.reject(new CompanionError('internal', 'the companion is shutting down'));
    if (opts.signal?.aborted) return Promise.reject(new CompanionError('bad-request', 'request aborted'));
    if (this.waitingJobs.length >= this.opts.maxWaiting && this.current) {
      return Promise.reject(
        new CompanionError('queue-full', `${this.waitingJobs.length} jobs are already waiting; try again later`),
      );
    }
    return new Promise<R>((resolve, reject) => {
      const entry: Entry<J, R> = { job, opts, resolve, reject };
      if (opts.signal) {
        entry.onAbort = () => {
          const i = this.waitingJobs.indexOf(entry);
          if (i >= 0) {
            this.waitingJobs.splice(i, 1);
            reject(new CompanionError('bad-request', 'request aborted while queued'));
          } else if (this.current === entry) {
            this.finish(entry, new CompanionError('bad-request', 'request aborted while running'), true);
          }
        };
        opts.signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waitingJobs.push(entry);
      this.pump();
    });
  }

  /** Rejects everything waiting, stops the job in flight. */
  close(): void {
    this.closed = true;
    for (const e of this.waitingJobs.splice(0)) e.reject(new CompanionError('internal', 'the companion is shutting down'));
    if (this.current) this.finish(this.current, new CompanionError('internal', 'the companion is shutting down'), true);
  }

  private finish(entry: Entry<J, R>, result: { ok: R } | unknown, kill: boolean): void {
    if (this.current !== entry) return;
    this.current = undefined;
    if (entry.onAbort) entry.opts.signal?.removeEventListener('abort', entry.onAbort);
    if (kill) this.executor.abort(result instanceof Error ? result.message : 'aborted');
    if (typeof result === 'object' && result !== null && 'ok' in result) entry.resolve((result as { ok: R }).ok);
    else entry.reject(result);
    queueMicrotask(() => this.pump());
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const entry = this.waitingJobs.shift();
    if (!entry) return;
    this.current = entry;
    const limit = entry.opts.timeoutMs ?? this.opts.timeoutMs;
    const timer = setTimeout(() => {
      this.finish(
        entry,
        new CompanionError('timeout', `the job ran past the companion's limit of ${(limit / 1000).toFixed(1)} s and was stopped`),
        true,
      );
    }, limit);
    let p: Promise<R>;
    try {
      p = this.executor.execute(entry.job);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (r) => {
        clearTimeout(timer);
        this.finish(entry, { ok: r }, false);
      },
      (e) => {
        clearTimeout(timer);
        this.finish(entry, e, false);
      },
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// The executor that runs jobs in worker.ts

export type WorkerJob =
  | { kind: 'probe' }
  | {
      kind: 'run' | 'bench';
      params: RunParams | BenchParams;
      model: Uint8Array;
      /** Hash of the bytes + session options: the worker reuses its session when this matches. */
      modelKey: string;
      maxOutputBytes: number;
    };

/**
 * What the executor forks: from the source tree (tsx, vitest), bin/companion-worker.mjs, which runs worker.ts
 * from a bundle it builds on demand (through tsx's loader each start cost ~0.5 s more CPU; CASTAWAY_TSX=1
 * still runs it that way, as it does the CLI); from a bundle (scripts/gpu/build-bundle.sh), worker.cjs beside it.
 */
function workerEntry(env: NodeJS.ProcessEnv): { file: string; execArgv: string[] } {
  const fromEnv = process.env.CASTAWAY_WORKER_ENTRY;
  if (fromEnv) return { file: fromEnv, execArgv: [] };
  const here = fileURLToPath(import.meta.url);
  const ext = extname(here);
  if (ext === '.ts') {
    if (env.CASTAWAY_TSX === '1') {
      const tsx = createRequire(import.meta.url).resolve('tsx');
      return { file: join(dirname(here), 'worker.ts'), execArgv: ['--import', pathToFileURL(tsx).href] };
    }
    return { file: join(dirname(here), '..', '..', '..', 'bin', 'companion-worker.mjs'), execArgv: [] };
  }
  const file = join(dirname(here), `worker${ext}`);
  if (!existsSync(file)) throw new Error(`companion worker not found at ${file} (set CASTAWAY_WORKER_ENTRY)`);
  return { file, execArgv: [] };
}

export class ProcessExecutor implements JobExecutor<WorkerJob, unknown> {
  private child: ChildProcess | undefined;
  /** The model key whose session the current child holds. */
  private childKey: string | null = null;
  private nextId = 1;
  private inflight: { id: number; child: ChildProcess; resolve: (v: unknown) => void; reject: (e: unknown) => void } | undefined;
  /** Processes started so far (for tests and logs). */
  spawned = 0;
  /** Working directories of the processes alive now (for tests). */
  readonly workDirs = new Set<string>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  private spawn(): ChildProcess {
    const { file, execArgv } = workerEntry(this.env);
    // An empty private working directory (mode 0700), removed when the process exits: whatever relative path
    // onnxruntime might resolve against its cwd finds nothing there (the server refuses external data too).
    const cwd = mkdtempSync(join(tmpdir(), 'castaway-worker-'));
    this.workDirs.add(cwd);
    const child = fork(file, [], {
      cwd,
      execArgv,
      env: this.env,
      stdio: ['pipe', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.spawned++;
    this.childKey = null;
    child.stdin?.on('error', () => undefined); // EPIPE when killed mid-upload
    child.on('message', (m: FromWorker) => {
      if (m.type !== 'result') return;
      const f = this.inflight;
      if (!f || f.id !== m.id || f.child !== child) return;
      this.inflight = undefined;
      this.childKey = m.cachedKey;
      if (m.ok) f.resolve(m.value);
      else f.reject(new CompanionError(m.error.code, m.error.message));
    });
    child.on('exit', (code, signal) => {
      rmSync(cwd, { recursive: true, force: true });
      this.workDirs.delete(cwd);
      if (this.child === child) {
        this.child = undefined;
        this.childKey = null;
      }
      const f = this.inflight;
      if (f && f.child === child) {
        this.inflight = undefined;
        f.reject(
          new CompanionError(
            'worker-crashed',
            `the inference process exited (${signal ?? `code ${code}`}) during the job; out of memory?`,
          ),
        );
      }
    });
    return child;
  }

  execute(job: WorkerJob): Promise<unknown> {
    if (this.inflight) return Promise.reject(new CompanionError('internal', 'executor busy'));
    const child = (this.child ??= this.spawn());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inflight = { id, child, resolve, reject };
      let msg: ToWorker;
      let bytes: Uint8Array | undefined;
      if (job.kind === 'probe') {
        msg = { type: 'probe', id };
      } else {
        const send = this.childKey !== job.modelKey;
        bytes = send ? job.model : undefined;
        msg = {
          type: 'job',
          id,
          kind: job.kind,
          params: job.params,
          modelKey: job.modelKey,
          modelBytes: send ? job.model.byteLength : 0,
          maxOutputBytes: job.maxOutputBytes,
        };
      }
      child.send(msg, (err) => {
        if (err && this.inflight?.id === id) {
          this.inflight = undefined;
          reject(new CompanionError('worker-crashed', `cannot reach the inference process: ${err.message}`));
        }
      });
      if (bytes && bytes.byteLength > 0) child.stdin?.write(bytes);
    });
  }

  /** Kills the process (and the job in it); a fresh one starts at once, ready for the next job. */
  abort(): void {
    this.kill();
    if (!this.closed) this.child = this.spawn();
  }

  private kill(): void {
    const c = this.child;
    this.child = undefined;
    this.childKey = null;
    if (this.inflight) {
      const f = this.inflight;
      this.inflight = undefined;
      f.reject(new CompanionError('timeout', 'stopped'));
    }
    c?.kill('SIGKILL');
  }

  private closed = false;

  /** Stops the process for good. */
  close(): void {
    this.closed = true;
    this.kill();
  }
}
