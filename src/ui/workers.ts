// The page's handles on its two workers, typed by the interfaces both sides share.

import * as Comlink from 'comlink';
import type { LayoutWorkerApi } from '../../workers/layout-api';
import type { ModelWorkerApi } from '../../workers/model-api';
import { useApp } from './store';

let modelWorker: Comlink.Remote<ModelWorkerApi> | null = null;
let layoutWorker: Comlink.Remote<LayoutWorkerApi> | null = null;

/** A worker that fails to load or throws outside a request: say so instead of waiting forever. */
function watched(worker: Worker, what: string): Worker {
  worker.addEventListener('error', (event) => {
    useApp.setState({
      progress: null,
      notice: { kind: 'error', title: `The ${what} worker failed`, message: event.message || 'It could not start.', code: 'internal' },
    });
  });
  return worker;
}

export function modelClient(): Comlink.Remote<ModelWorkerApi> {
  modelWorker ??= Comlink.wrap<ModelWorkerApi>(
    watched(new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'castaway-model' }), 'model'),
  );
  return modelWorker;
}

export function layoutClient(): Comlink.Remote<LayoutWorkerApi> {
  layoutWorker ??= Comlink.wrap<LayoutWorkerApi>(
    watched(new Worker(new URL('../../workers/layout.worker.ts', import.meta.url), { type: 'module', name: 'castaway-layout' }), 'layout'),
  );
  return layoutWorker;
}
