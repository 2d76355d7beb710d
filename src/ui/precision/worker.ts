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
let runtimeWorkers: Worker[] = [];
let servicePort: MessagePort | null = null;

/** A runtime worker serving on a new channel; returns the model worker's end. */
function startRuntime(name: string): MessagePort {
  const runtime = workerClient<RuntimeWorkerEndpoint>(
    () => {
      const worker = new Worker(new URL('../../../workers/runtime.worker.ts', import.meta.url), { type: 'module', name });
      runtimeWorkers.push(worker);
      return worker;
    },
    (message) => usePrecision.setState({ error: { title: 'The runtime worker failed', raw: message } }),
  );
  const runs = new MessageChannel();
  void runtime.serve(Comlink.transfer(runs.port2, [runs.port2]));
  return runs.port1;
}

export function precisionClient(): Comlink.Remote<PrecisionWorkerApi> {
  if (!client) {
    const runs = startRuntime('castaway-runtime');
    // With a second core, a second runtime worker runs the fp16-simulated models beside the fp32 reference
    // (a first preview runs both; they share no session). Each loads its own wasm when it starts.
    const simulation = (navigator.hardwareConcurrency || 1) >= 2 ? startRuntime('castaway-runtime-simulation') : undefined;
    const service = new MessageChannel();
    // Messages sent on service.port2 wait in the channel until the model worker starts serving on port1.
    void modelClient().connect(Comlink.transfer(runs, [runs]), Comlink.transfer(service.port1, [service.port1]), simulation && Comlink.transfer(simulation, [simulation]));
    servicePort = service.port2;
    client = Comlink.wrap<PrecisionWorkerApi>(service.port2);
  }
  return client;
}

/**
 * Stops whatever the precision service is running. A wasm session run cannot be interrupted from outside,
 * so the runtime worker is terminated and the service's port closed; the next request starts a fresh
 * runtime worker and a fresh service (which takes the model worker's model again: no decode).
 */
export function terminatePrecisionWorker(): void {
  for (const worker of runtimeWorkers) worker.terminate();
  servicePort?.close();
  runtimeWorkers = [];
  servicePort = null;
  client = null;
}
