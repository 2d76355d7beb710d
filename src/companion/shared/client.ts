// A tiny fetch-based client of the companion, usable in the browser (no Node APIs) and in Node 18+.
//
//   const c = CompanionClient.fromUrl('http://127.0.0.1:8765/?token=...');
//   const info = await c.info();
//   const bench = await c.bench(modelBytes, { dims: { batch: 1, seq: 128 }, runs: 20 });
//   const run = await c.run(modelBytes, { dims: { batch: 1, seq: 128 }, seed: 0 });
//   const y = decodeTensor(run.outputs.last_hidden_state);

import { CompanionError, isErrorCode } from './errors.js';
import {
  DEFAULT_PORT,
  FRAMED_CONTENT_TYPE,
  PROTOCOL_VERSION,
  SERVICE_NAME,
  TOKEN_HEADER,
  encodeJobBody,
  parseCompanionUrl,
  type BenchParams,
  type BenchResponse,
  type ErrorResponse,
  type InfoResponse,
  type RunParams,
  type RunResponse,
} from './protocol.js';

export { CompanionError } from './errors.js';

export interface ClientOptions {
  /** e.g. http://127.0.0.1:8765 */
  baseUrl: string;
  token: string;
  /** Replaces globalThis.fetch (tests). */
  fetch?: typeof fetch;
}

export type CompanionStatus =
  | { state: 'connected'; info: InfoResponse }
  | { state: 'unreachable'; message: string }
  | { state: 'refused'; code: string; message: string };

export class CompanionClient {
  readonly baseUrl: string;
  readonly token: string;
  private readonly f: typeof fetch;

  constructor(opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.f = opts.fetch ?? ((...a) => globalThis.fetch(...a));
  }

  /** From the URL the companion printed (`http://127.0.0.1:PORT/?token=...`, or `#companion=...&token=...`). */
  static fromUrl(url: string, fetchImpl?: typeof fetch): CompanionClient {
    const hash = url.includes('#') ? new URLSearchParams(url.slice(url.indexOf('#') + 1)) : undefined;
    const companion = hash?.get('companion');
    if (companion && hash?.get('token')) {
      return new CompanionClient({ baseUrl: companion, token: hash.get('token')!, fetch: fetchImpl });
    }
    return new CompanionClient({ ...parseCompanionUrl(url), fetch: fetchImpl });
  }

  /** The companion on a port of this machine with a known token (port defaults to 8765). */
  static onPort(token: string, port = DEFAULT_PORT, fetchImpl?: typeof fetch): CompanionClient {
    return new CompanionClient({ baseUrl: `http://127.0.0.1:${port}`, token, fetch: fetchImpl });
  }

  private async request<T>(path: string, init: RequestInit, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await this.f(`${this.baseUrl}${path}`, {
        ...init,
        signal,
        headers: { ...(init.headers as Record<string, string>), [TOKEN_HEADER]: this.token },
      });
    } catch (e) {
      if ((e as Error)?.name === 'AbortError') throw e;
      throw new CompanionError('internal', `companion unreachable at ${this.baseUrl}: ${(e as Error)?.message ?? e}`);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!res.ok) {
      const err = (body as ErrorResponse | undefined)?.error;
      const code = err && isErrorCode(err.code) ? err.code : res.status === 413 ? 'payload-too-large' : 'internal';
      throw new CompanionError(code, err?.message ?? `HTTP ${res.status}: ${text.slice(0, 200)}`);
    }
    return body as T;
  }

  info(signal?: AbortSignal): Promise<InfoResponse> {
    return this.request<InfoResponse>('/info', { method: 'GET' }, signal);
  }

  /**
   * info(), as a status the UI can show without try/catch. A server that is not the companion, or speaks
   * another protocol version than this client, is refused: its answers would be misread.
   */
  async status(signal?: AbortSignal): Promise<CompanionStatus> {
    try {
      const info = await this.info(signal);
      if (info?.service !== SERVICE_NAME) {
        return { state: 'refused', code: 'not-companion', message: `${this.baseUrl} is not a Castaway companion` };
      }
      if (info.protocol !== PROTOCOL_VERSION) {
        const update = info.protocol > PROTOCOL_VERSION ? 'reload the app' : 'update the companion (npm run companion)';
        return {
          state: 'refused',
          code: 'protocol-mismatch',
          message: `the companion speaks protocol ${info.protocol}, this app ${PROTOCOL_VERSION}: ${update}`,
        };
      }
      return { state: 'connected', info };
    } catch (e) {
      if (e instanceof CompanionError && e.code !== 'internal') return { state: 'refused', code: e.code, message: e.message };
      return { state: 'unreachable', message: (e as Error).message };
    }
  }

  private job<T>(path: string, model: Uint8Array | ArrayBuffer, params: object, signal?: AbortSignal): Promise<T> {
    const bytes = model instanceof Uint8Array ? model : new Uint8Array(model);
    const body = encodeJobBody(params, bytes);
    return this.request<T>(
      path,
      { method: 'POST', headers: { 'content-type': FRAMED_CONTENT_TYPE }, body: body as unknown as BodyInit },
      signal,
    );
  }

  /** Runs the model once; outputs come back as wire tensors (decode with protocol's decodeTensor). */
  run(model: Uint8Array | ArrayBuffer, params: RunParams = {}, signal?: AbortSignal): Promise<RunResponse> {
    return this.job<RunResponse>('/run', model, params, signal);
  }

  /** Warm-up runs then timed runs; median and p90 in ms. */
  bench(model: Uint8Array | ArrayBuffer, params: BenchParams = {}, signal?: AbortSignal): Promise<BenchResponse> {
    return this.job<BenchResponse>('/bench', model, params, signal);
  }
}
