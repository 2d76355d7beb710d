// The page's handle on the precision service. The service runs in the model worker, on the model that
// worker already decoded; its model runs go to the runtime worker (onnxruntime-web). The page starts the
// runtime worker and connects the two with MessageChannels once, then talks to the service over its port.

import * as Comlink from 'comlink';
import type { PrecisionWorkerApi } from '../../../workers/precision-api';
import type { RuntimeWorkerEndpoint } from '../../../workers/runtime-api';
import { workerClient } from '../worker-client';
import { modelClient } from '../workers';
import { usePrecision } from './store';

export type { PrecisionWorkerApi };

let client: Comlink.Remote<PrecisionWorkerApi> | null = null;

export function precisionClient(): Comlink.Remote<PrecisionWorkerApi> {
  if (!client) {
    const runtime = workerClient<RuntimeWorkerEndpoint>(
      () => new Worker(new URL('../../../workers/runtime.worker.ts', import.meta.url), { type: 'module', name: 'castaway-runtime' }),
      (message) => usePrecision.setState({ error: `The runtime worker failed: ${message}` }),
    );
    const runs = new MessageChannel();
    const service = new MessageChannel();
    // Messages sent on service.port2 wait in the channel until the model worker starts serving on port1.
    void runtime.serve(Comlink.transfer(runs.port2, [runs.port2]));
    void modelClient().connect(Comlink.transfer(runs.port1, [runs.port1]), Comlink.transfer(service.port1, [service.port1]));
    client = Comlink.wrap<PrecisionWorkerApi>(service.port2);
  }
  return client;
}
