// The page's handles on its two workers, typed by the interfaces both sides share.

import type * as Comlink from 'comlink';
import type { LayoutWorkerApi } from '../../workers/layout-api';
import type { ModelWorkerApi } from '../../workers/model-api';
import { useApp } from './store';
import { workerClient } from './worker-client';

let modelWorker: Comlink.Remote<ModelWorkerApi> | null = null;
let layoutWorker: Comlink.Remote<LayoutWorkerApi> | null = null;

function reportTo(what: string) {
  return (message: string) =>
    useApp.setState({ progress: null, notice: { kind: 'error', title: `The ${what} worker failed`, message, code: 'internal' } });
}

export function modelClient(): Comlink.Remote<ModelWorkerApi> {
  modelWorker ??= workerClient<ModelWorkerApi>(
    () => new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'castaway-model' }),
    reportTo('model'),
  );
  return modelWorker;
}

export function layoutClient(): Comlink.Remote<LayoutWorkerApi> {
  layoutWorker ??= workerClient<LayoutWorkerApi>(
    () => new Worker(new URL('../../workers/layout.worker.ts', import.meta.url), { type: 'module', name: 'castaway-layout' }),
    reportTo('layout'),
  );
  return layoutWorker;
}
