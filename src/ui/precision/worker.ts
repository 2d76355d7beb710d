// The page's handle on the precision worker, typed by the interface both sides share.

import type * as Comlink from 'comlink';
import type { PrecisionWorkerApi } from '../../../workers/precision-api';
import { workerClient } from '../worker-client';
import { usePrecision } from './store';

export type { PrecisionWorkerApi };

let client: Comlink.Remote<PrecisionWorkerApi> | null = null;

export function precisionClient(): Comlink.Remote<PrecisionWorkerApi> {
  client ??= workerClient<PrecisionWorkerApi>(
    () => new Worker(new URL('../../../workers/precision.worker.ts', import.meta.url), { type: 'module', name: 'castaway-precision' }),
    (message) => usePrecision.setState({ error: `The precision worker failed: ${message}` }),
  );
  return client;
}
