// POST /run as the app sends it (Host, Origin, token), for the companion's own tests: one request helper for
// the file-leak and memory tests instead of a copy in each.
import http from 'node:http';
import { PARAMS_HEADER, TOKEN_HEADER } from '../shared/protocol.js';

export interface RunAnswer {
  status: number;
  text: string;
  /** The error code of a JSON error answer, or the socket's code when the server reset the upload. */
  code?: string;
  ms: number;
}

export interface PostRunOptions {
  origin: string;
  token: string;
  /** Sent as the params header when given. */
  params?: object;
  /** Content-Length as declared (default: the body's length). */
  declared?: number;
  /** Send this many bytes of the body at most, then stall (the request is never ended). */
  send?: number;
  /** A reset or broken pipe is an answer (status 0, its code) rather than an error: for uploads the server may cut. */
  resetIsAnswer?: boolean;
}

export function postRun(port: number, body: Uint8Array, o: PostRunOptions): Promise<RunAnswer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      host: `127.0.0.1:${port}`,
      origin: o.origin,
      [TOKEN_HEADER]: o.token,
      'content-type': 'application/octet-stream',
      'content-length': o.declared ?? body.length,
    };
    if (o.params !== undefined) headers[PARAMS_HEADER] = JSON.stringify(o.params);
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/run', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { error?: { code: string } }).error?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, code, ms: performance.now() - t0 });
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (o.resetIsAnswer && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) resolve({ status: 0, text: '', code: e.code, ms: performance.now() - t0 });
      else reject(e);
    });
    if (o.send !== undefined) req.write(body.subarray(0, o.send));
    else req.end(body);
  });
}
