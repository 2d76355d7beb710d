// The page's one way to start a worker and hold its typed comlink handle (the model, layout and precision
// workers). A worker that fails to load or throws outside a request reports to `onError`, so the page says
// so instead of waiting forever. `start` must call `new Worker(new URL('...', import.meta.url), ...)` itself:
// Vite bundles a worker as its own chunk only when it sees that expression whole.
import * as Comlink from 'comlink';

export function workerClient<T>(start: () => Worker, onError: (message: string) => void): Comlink.Remote<T> {
  const worker = start();
  worker.addEventListener('error', (event) => onError(event.message || 'It could not start.'));
  return Comlink.wrap<T>(worker);
}
