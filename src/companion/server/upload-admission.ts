// Admission of uploads before their bodies are read: a request is refused while the queue has no room or
// when its body would push the bytes held across all requests past a cap, so twenty concurrent 100 MB
// uploads hold at most the cap, not 2 GB, and a declared Content-Length of 2 GiB allocates nothing. Bodies
// are read chunk by chunk as they arrive (no allocation of a declared size), with an idle timeout.
import type { IncomingMessage } from 'node:http';
import { CompanionError } from '../shared/errors.js';

/** Bytes held across all requests; a request reserves its body's bytes and releases them when it ends. */
export class ByteBudget {
  private heldBytes = 0;
  constructor(readonly limit: number) {}

  get held(): number {
    return this.heldBytes;
  }

  tryReserve(n: number): boolean {
    if (this.heldBytes + n > this.limit) return false;
    this.heldBytes += n;
    return true;
  }

  release(n: number): void {
    this.heldBytes = Math.max(0, this.heldBytes - n);
  }
}

export interface BodyLimits {
  /** Largest body of one request. */
  maxBytes: number;
  /** Shared by all requests. */
  budget: ByteBudget;
  /** An upload that sends nothing for this long is dropped. */
  idleMs: number;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

/**
 * Reads a request body within the limits. Bytes are reserved in `budget` as they arrive (the declared
 * Content-Length first, when there is one); `reserved.bytes` says how many, for the caller to release when
 * the request is over, whatever happened.
 */
export function readBodyWithin(req: IncomingMessage, limits: BodyLimits, reserved: { bytes: number }): Promise<Buffer> {
  const { maxBytes, budget, idleMs } = limits;
  const header = req.headers['content-length'];
  const declared = header !== undefined ? Number(header) : undefined;
  const tooLarge = (n: number | string) =>
    new CompanionError(
      'payload-too-large',
      `the upload (${n} bytes) is over the companion's limit of ${maxBytes} bytes (${mib(maxBytes)}); start it with a larger --max-upload-mb`,
    );
  const busy = () =>
    new CompanionError(
      'queue-full',
      `the companion already holds ${mib(budget.held)} of uploads (its limit: ${mib(budget.limit)}); try again when the jobs before it are done`,
    );
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) {
    return Promise.reject(new CompanionError('bad-request', `Content-Length '${header}' is not a byte count`));
  }
  if (declared !== undefined && declared > maxBytes) return Promise.reject(tooLarge(declared));
  if (declared !== undefined) {
    if (!budget.tryReserve(declared)) return Promise.reject(busy());
    reserved.bytes += declared;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    let settled = false;
    const settle = (error?: CompanionError) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.off('data', onData);
      if (error) {
        req.resume(); // drain what is still coming without holding it
        reject(error);
      } else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, len));
    };
    let idle = setTimeout(onIdle, idleMs);
    function onIdle() {
      settle(new CompanionError('bad-request', `the upload sent nothing for ${(idleMs / 1000).toFixed(0)} s and was dropped`));
      req.destroy();
    }
    function onData(d: Buffer) {
      clearTimeout(idle);
      idle = setTimeout(onIdle, idleMs);
      if (len + d.length > maxBytes) return settle(tooLarge(`more than ${maxBytes}`));
      if (declared !== undefined && len + d.length > declared) return settle(new CompanionError('bad-request', 'the body is longer than its Content-Length'));
      if (declared === undefined) {
        if (!budget.tryReserve(d.length)) return settle(busy());
        reserved.bytes += d.length;
      }
      chunks.push(d);
      len += d.length;
    }
    req.on('data', onData);
    req.on('end', () => settle());
    req.on('error', (e) => settle(new CompanionError('bad-request', `upload failed: ${e.message}`)));
    req.on('aborted', () => settle(new CompanionError('bad-request', 'the client went away during the upload')));
  });
}
