// The page's handle on the precision worker, typed by the interface both sides share.

import * as Comlink from 'comlink';
import type { PrecisionWorkerApi } from '../../../workers/precision-api';
import type { WorkerError } from '../../../workers/model-api';
import { usePrecision } from './store';

export type { PrecisionWorkerApi };
export type WorkerErrorLike = WorkerError;

let client: Comlink.Remote<PrecisionWorkerApi> | null = null;

export function precisionClient(): Comlink.Remote<PrecisionWorkerApi> {
  if (!client) {
    const worker = new Worker(new URL('../../../workers/precision.worker.ts', import.meta.url), { type: 'module', name: 'castaway-precision' });
    worker.addEventListener('error', (event) => usePrecision.setState({ error: `The precision worker failed: ${event.message || 'it could not start'}` }));
    client = Comlink.wrap<PrecisionWorkerApi>(worker);
  }
  return client;
}
