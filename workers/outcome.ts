// How every worker call answers, declared once for the model, precision and layout workers: failures come
// back as values (an Outcome), because a thrown CastawayError loses its code and location on the way
// through postMessage. Workers wrap each call in `attempt`; the page unwraps or shows the error.
import { isCastawayError, type CastawayErrorCode } from '../src/core/index';

export interface WorkerError {
  /** The engine's code, or 'internal' for anything that is not a CastawayError (a bug, out of memory). */
  code: CastawayErrorCode | 'internal';
  message: string;
  where: string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: WorkerError };

function toWorkerError(error: unknown): WorkerError {
  if (isCastawayError(error)) return { code: error.code, message: error.message, where: error.where };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), where: '' };
}

/** Runs one call's work (synchronous or not) and turns its result or its error into an Outcome. */
export async function attempt<T>(work: () => Promise<T> | T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: toWorkerError(error) };
  }
}
