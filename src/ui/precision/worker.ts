// The page's handle on the precision worker, typed by the interface both sides share.

import * as Comlink from 'comlink';
import type { PrecisionWorkerApi } from '../../../workers/precision-api';
import type { WorkerError } from '../../../workers/model-api';
import { usePrecision } from './store';

export type { PrecisionWorkerApi };
export type WorkerErrorLike = WorkerError;

let client: Comlink.Remote<PrecisionWorkerApi> | null = null;
let worker: Worker | null = null;

export function precisionClient(): Comlink.Remote<PrecisionWorkerApi> {
  if (!client) {
    worker = new Worker(new URL('../../../workers/precision.worker.ts', import.meta.url), { type: 'module', name: 'castaway-precision' });
    worker.addEventListener('error', (event) =>
      usePrecision.setState({ error: { title: 'The precision worker failed', raw: event.message || 'it could not start' } }),
    );
    client = Comlink.wrap<PrecisionWorkerApi>(worker);
  }
  return client;
}

/**
 * Stops whatever the precision worker is running. A wasm session run cannot be interrupted from outside,
 * so the worker is terminated; the next request starts a fresh one (which reopens the model).
 */
export function terminatePrecisionWorker(): void {
  worker?.terminate();
  worker = null;
  client = null;
}
