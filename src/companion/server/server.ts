// The companion's HTTP server (node:http): binds 127.0.0.1 only, checks Host (DNS rebinding), Origin (the
// app's origins only) and the one-time token, limits upload size, and hands jobs to the JobQueue, whose
// inference process can be killed on timeout while this process keeps serving. It never opens a file by a
// path from a request: the model is the request body, models whose tensors name an external data file are
// refused, and the inference process runs in an empty private directory (job-queue.ts).

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { CompanionError } from '../shared/errors.js';
import { ByteBudget, readBodyWithin } from './upload-admission.js';
import { WireError, findExternalTensor } from './external-data-scan.js';
import { JobQueue, ProcessExecutor, type WorkerJob } from './job-queue.js';
import { parseBenchParams, parseRunParams } from './params.js';
import {
  DEFAULT_APP_ORIGINS,
  DEFAULT_PORT,
  FRAMED_CONTENT_TYPE,
  PARAMS_HEADER,
  TOKEN_HEADER,
  decodeJobBody,
  type ErrorCode,
  type ErrorResponse,
  type InfoResponse,
  type JobParams,
} from '../shared/protocol.js';

export interface CompanionOptions {
  /** Default 8765; 0 picks a free port. */
  port?: number;
  /** Origins allowed to call (the app's). Default: http://127.0.0.1:5173 and http://localhost:5173. */
  origins?: string[];
  /** Largest request body (model + params), bytes. Default 2 GiB. */
  maxUploadBytes?: number;
  /** Per-job limit (session creation + runs), ms. Default 300 s. */
  timeoutMs?: number;
  /** Jobs that may wait behind the running one. Default 8. */
  maxQueue?: number;
  /** Largest run response (output tensors, and inputs with returnInputs), bytes. Default 256 MiB. */
  maxOutputBytes?: number;
  /** Upload bytes held across all requests at once (read, waiting or running). Default: (maxQueue + 1) uploads of maxUploadBytes, at most a quarter of the memory, at least one upload. */
  maxHeldBytes?: number;
  /** An upload that sends nothing for this long is dropped, ms. Default 30 s. */
  uploadIdleMs?: number;
  /** Fixed token (tests); default: 24 random bytes, base64url. */
  token?: string;
  /** Environment of the inference process. */
  workerEnv?: NodeJS.ProcessEnv;
  /** One line per request. */
  log?: (line: string) => void;
}

export interface CompanionServer {
  url: string;
  baseUrl: string;
  token: string;
  port: number;
  server: http.Server;
  queue: JobQueue<WorkerJob, unknown>;
  executor: ProcessExecutor;
  /** Upload bytes held now across all requests, and the cap. */
  uploads: ByteBudget;
  /** Machine info (EP, device, versions) from the inference process, probed once at start. */
  machine: Promise<Omit<InfoResponse, 'limits' | 'queue'>>;
  close(): Promise<void>;
}

const ALLOW_HEADERS = ['content-type', TOKEN_HEADER, PARAMS_HEADER, 'authorization'].join(', ');

function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...extra,
  });
  res.end(text);
}

function errorBody(code: ErrorCode, message: string): ErrorResponse {
  return { error: { code, message } };
}

function tokenOf(req: IncomingMessage): string | undefined {
  const h = req.headers[TOKEN_HEADER];
  if (typeof h === 'string' && h) return h;
  const auth = req.headers.authorization;
  if (auth && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function landingPage(base: string, token: string, origins: string[]): string {
  const app = origins[0];
  const link = `${app}/#companion=${encodeURIComponent(base)}&token=${encodeURIComponent(token)}`;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>Castaway companion</title>
<body style="font-family:system-ui;max-width:40em;margin:3em auto">
<h1>Castaway companion is running</h1>
<p>Open the app with the companion connected: <a href="${esc(link)}">${esc(app)}</a></p>
<p>Or paste this page's address into the app's companion panel.</p>
<p>It accepts requests from: ${origins.map(esc).join(', ')}.</p></body>`;
}

export async function startCompanion(opts: CompanionOptions = {}): Promise<CompanionServer> {
  const origins = (opts.origins?.length ? opts.origins : DEFAULT_APP_ORIGINS).map((o) => o.replace(/\/+$/, ''));
  const maxUploadBytes = opts.maxUploadBytes ?? 2 * 2 ** 30;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const maxQueue = opts.maxQueue ?? 8;
  const maxOutputBytes = opts.maxOutputBytes ?? 256 * 2 ** 20;
  // Default: room for every job the queue admits at the largest upload, but never more than a quarter of
  // the machine's memory (and always room for one largest upload).
  const budget = new ByteBudget(
    opts.maxHeldBytes ?? Math.max(maxUploadBytes, Math.min(os.totalmem() / 4, (maxQueue + 1) * maxUploadBytes)),
  );
  const uploadIdleMs = opts.uploadIdleMs ?? 30_000;
  /** /run and /bench requests admitted and not yet answered: uploading, waiting or running. */
  let admitted = 0;
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const log = opts.log ?? (() => undefined);

  const executor = new ProcessExecutor(opts.workerEnv ?? process.env);
  const queue = new JobQueue<WorkerJob, unknown>(executor, { timeoutMs, maxWaiting: maxQueue });
  const machine = queue.enqueue({ kind: 'probe' }, { timeoutMs: Math.max(timeoutMs, 60_000) }) as Promise<
    Omit<InfoResponse, 'limits' | 'queue'>
  >;
  machine.catch(() => undefined);

  let port = opts.port ?? DEFAULT_PORT;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    const cors: Record<string, string> = {};
    const fail = (code: ErrorCode, message: string, extra: Record<string, string> = {}) => {
      const status = new CompanionError(code, message).status;
      // Unread body: answer, then let the connection close after draining (no keep-alive on errors).
      if (!req.complete) {
        extra.connection = 'close';
        req.resume();
      }
      sendJson(res, status, errorBody(code, message), { ...cors, ...extra });
    };

    // 1. Host: a page on another name resolving to 127.0.0.1 (DNS rebinding) is refused.
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host)) return fail('forbidden', `Host '${host}' is not this companion (127.0.0.1:${port})`);

    // 2. Origin: only the app's. A browser always sends it on cross-origin requests.
    if (origin !== undefined) {
      if (!origins.includes(origin)) {
        return fail('forbidden', `origin '${origin}' is not allowed (allowed: ${origins.join(', ')}; see --origin)`);
      }
      cors['access-control-allow-origin'] = origin;
      cors.vary = 'Origin';
    }

    // Preflight: no token in it (browsers send none); answers only the allowed origin.
    if (req.method === 'OPTIONS') {
      if (!origin) return fail('forbidden', 'preflight without Origin');
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-allow-private-network': 'true',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }

    // The landing page: a top-level navigation to the printed URL (no Origin), token in the query.
    if (req.method === 'GET' && url.pathname === '/') {
      const t = url.searchParams.get('token');
      if (!t) return fail('unauthorized', 'no token: open the URL the companion printed (…/?token=…)');
      if (!sameToken(t, token)) return fail('forbidden', 'wrong token: the companion prints a new one each time it starts');
      const html = landingPage(`http://127.0.0.1:${port}`, token, origins);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
      return;
    }

    if (origin === undefined) {
      return fail('forbidden', `requests must come from the app (an Origin header of ${origins.join(' or ')})`);
    }

    // 3. Token.
    const t = tokenOf(req);
    if (!t) return fail('unauthorized', `no token: send it in the ${TOKEN_HEADER} header (the companion printed it)`);
    if (!sameToken(t, token)) return fail('forbidden', 'wrong token: the companion prints a new one each time it starts');

    // 4. Routes.
    const route = url.pathname.replace(/\/+$/, '') || '/';
    if (route === '/info') {
      if (req.method !== 'GET') return fail('method-not-allowed', 'use GET /info', { allow: 'GET' });
      let m: Awaited<typeof machine>;
      try {
        m = await machine;
      } catch (e) {
        return fail('internal', `the inference process could not start: ${(e as Error).message}`);
      }
      const info: InfoResponse = {
        ...m,
        limits: { maxUploadBytes, timeoutMs, maxQueue },
        queue: { running: queue.running, waiting: queue.waiting },
      };
      return sendJson(res, 200, info, cors);
    }
    if (route !== '/run' && route !== '/bench') return fail('not-found', `no endpoint ${url.pathname} (GET /info, POST /run, POST /bench)`);
    if (req.method !== 'POST') return fail('method-not-allowed', `use POST ${route}`, { allow: 'POST' });

    // Admission before the body is read: one running job and maxQueue waiting ones, uploads included.
    if (admitted >= maxQueue + 1) {
      return fail('queue-full', `${admitted} jobs are already uploading, waiting or running; try again later`);
    }
    admitted++;
    const reserved = { bytes: 0 };
    res.once('close', () => {
      admitted--;
      budget.release(reserved.bytes);
    });
    const body = await readBodyWithin(req, { maxBytes: maxUploadBytes, budget, idleMs: uploadIdleMs }, reserved);
    let rawParams: unknown;
    let model: Uint8Array;
    const ctype = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    try {
      if (ctype === FRAMED_CONTENT_TYPE) {
        ({ params: rawParams, model } = decodeJobBody(body));
      } else {
        const h = req.headers[PARAMS_HEADER];
        rawParams = typeof h === 'string' && h ? JSON.parse(h) : {};
        model = body;
      }
    } catch (e) {
      return fail('bad-request', `cannot read the parameters: ${(e as Error).message}`);
    }
    if (model.byteLength === 0) return fail('bad-request', 'the body holds no model (send the .onnx bytes)');
    // onnxruntime would resolve an external data `location` on this machine and return that file as an output
    let external: ReturnType<typeof findExternalTensor>;
    try {
      external = findExternalTensor(model);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return fail('bad-model', `the body is not an ONNX model: protobuf parsing failed (${e.message})`);
    }
    if (external) {
      return fail(
        'external-data',
        `tensor '${external.name}' keeps its data in an external file ('${external.location}'); the companion ` +
          'reads no file on this machine for a request: send a model with the weights inside it ' +
          '(onnx.save_model(..., save_as_external_data=False), or load_model + save without external data)',
      );
    }
    const params: JobParams = route === '/run' ? parseRunParams(rawParams) : parseBenchParams(rawParams);
    const modelKey = [
      createHash('sha256').update(model).digest('hex'),
      params.ep ?? 'auto',
      params.graphOptimizationLevel ?? 'all',
    ].join('|');

    const ac = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) ac.abort();
    };
    res.on('close', onClose);
    try {
      const value = await queue.enqueue(
        { kind: route === '/run' ? 'run' : 'bench', params, model, modelKey, maxOutputBytes },
        { signal: ac.signal },
      );
      sendJson(res, 200, value, cors);
    } finally {
      res.off('close', onClose);
    }
  }

  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    res.on('finish', () => log(`${req.method} ${req.url?.split('?')[0]} ${res.statusCode} ${(performance.now() - t0).toFixed(0)} ms`));
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof CompanionError ? e : new CompanionError('internal', (e as Error)?.message ?? String(e));
      if (!req.complete) req.resume();
      const origin = req.headers.origin;
      const extra: Record<string, string> = {};
      if (!req.complete) extra.connection = 'close';
      if (origin && origins.includes(origin)) {
        extra['access-control-allow-origin'] = origin;
        extra.vary = 'Origin';
      }
      sendJson(res, err.status, errorBody(err.code, err.message), extra);
    });
  });
  server.requestTimeout = 0; // uploads of large models may take a while; jobs have their own limit
  server.headersTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `${baseUrl}/?token=${token}`,
    baseUrl,
    token,
    port,
    server,
    queue,
    executor,
    uploads: budget,
    machine,
    close: async () => {
      queue.close();
      executor.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
