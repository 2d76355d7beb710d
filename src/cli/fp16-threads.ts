// The CLI's fp16 conversion over threads (issue 9 item 6: a 1.3 GB model file to file in under 2 s on a
// 16-core host). The engine converts tensor by tensor, synchronously (rewrite/apply-plan.ts); through
// ConvertOptions.fp16Converter it hands each large float32 tensor to this pool, which splits its elements
// into one range per thread, gives each worker its range (fp16-worker.ts) and converts the first range
// itself, then waits for the others with Atomics.wait. The ranges are the codec's own range conversion
// (convertFloat32BytesToFloat16Into), so the bytes and counts are those of one thread, whatever the split.
//
// The workers need the input in a SharedArrayBuffer (the CLI reads the model file into one) and write into
// a shared output per tensor. Small tensors, and any input that is not shared, are converted in this thread.
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { convertFloat32BytesToFloat16, convertFloat32BytesToFloat16Into, type Fp16Converter, type Fp16Stats } from '../core/index';
import { CONTROL_SLOTS, DONE, IDLE, POSTED, type RangeTask } from './fp16-protocol';

/** Below this many bytes of float32 a tensor is converted in this thread: waking the workers costs more. */
const MIN_SPLIT_BYTES = 1 << 20;
/** Threads beyond ~8 add nothing: the conversion is bound by memory bandwidth by then. */
const MAX_THREADS = 8;
/** A worker that has not answered in this long is taken for dead (the conversion of a range takes ms). */
const WAIT_LIMIT_MS = 120_000;

/** Fewer cores than this, and the conversion stays in one thread (see fp16ThreadCount). */
const MIN_CORES = 4;

/**
 * Threads worth using here: the cores this process may run on (taskset counts), at most MAX_THREADS, and
 * none beside the main one below MIN_CORES: on the shared 2-core machine a second thread saved no wall time
 * (the conversion is bound by memory bandwidth there) and, when the other core was busy, the main thread
 * waited on a descheduled worker (docs/bench.md, fourth pass). CASTAWAY_THREADS=n sets it (1: no worker).
 */
export function fp16ThreadCount(env: string | undefined = process.env.CASTAWAY_THREADS, cores = availableParallelism()): number {
  const asked = Number(env);
  if (env && Number.isInteger(asked) && asked >= 1) return asked;
  return cores < MIN_CORES ? 1 : Math.min(MAX_THREADS, cores);
}

/**
 * The worker script beside this module: the bundle's fp16-worker.cjs, or, running from the TypeScript
 * sources (tests, CASTAWAY_TSX=1), fp16-worker.ts through tsx (a Worker refuses a .ts file even with tsx's
 * --import, so a two-line script registers tsx and imports it).
 */
function workerScript(): { script: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./fp16-worker.cjs', here), eval: false };
  const source = new URL('./fp16-worker.ts', here).href;
  return { script: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source)}); });`, eval: true };
}

export class Fp16Threads {
  private readonly control: Int32Array;
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];
  /** Resolves, once every worker has started or failed to, to the number that started. */
  readonly ready: Promise<number>;
  private live = 0;
  /** Tensors split over threads (for the tests and the bench). */
  splitTensors = 0;

  /** Starts `threads - 1` workers (this thread is the last one); they boot while the model is decoded. */
  constructor(threads = fp16ThreadCount()) {
    const count = Math.max(0, threads - 1);
    this.control = new Int32Array(new SharedArrayBuffer(Math.max(1, count) * CONTROL_SLOTS * 4));
    const { script, eval: isCode } = workerScript();
    const started: Promise<boolean>[] = [];
    for (let index = 0; index < count; index++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(script, { eval: isCode, workerData: { control: this.control, index, port: port2 }, transferList: [port2], stdout: false, stderr: false });
      worker.unref(); // never keeps the process alive: a blocked worker is simply dropped at exit
      this.workers.push(worker);
      this.ports.push(port1);
      started.push(
        new Promise<boolean>((resolve) => {
          port1.once('message', () => resolve(true));
          worker.once('error', () => resolve(false));
          worker.once('exit', () => resolve(false));
        }),
      );
    }
    this.ready = Promise.all(started).then((oks) => {
      // only a prefix of started workers is used, so that a worker index is also its control slot
      const firstFailed = oks.indexOf(false);
      this.live = firstFailed < 0 ? oks.length : firstFailed;
      for (const port of this.ports) port.unref();
      return this.live;
    });
  }

  /** The converter for ConvertOptions.fp16Converter; use it after `ready` has resolved. */
  readonly converter: Fp16Converter = (bytes, stats) => this.convert(bytes, stats);

  private convert(bytes: Uint8Array, stats: Fp16Stats): Uint8Array {
    const count = bytes.byteLength >>> 2;
    const workers = this.live;
    if (!workers || bytes.byteLength < MIN_SPLIT_BYTES || !(bytes.buffer instanceof SharedArrayBuffer)) return convertFloat32BytesToFloat16(bytes, stats);
    this.splitTensors++;
    const out = new Uint8Array(new SharedArrayBuffer(count * 2));
    // one range per thread, multiples of 8 elements (the kernels' group) except the last
    const per = Math.ceil(count / (workers + 1) / 8) * 8;
    let used = 0;
    for (let w = 0; w < workers; w++) {
      const from = Math.min(count, per * (w + 1));
      const to = Math.min(count, from + per);
      if (from >= to) break;
      const task: RangeTask = { input: bytes.buffer, inOffset: bytes.byteOffset + from * 4, output: out.buffer as SharedArrayBuffer, outOffset: from * 2, count: to - from };
      this.ports[w].postMessage(task);
      Atomics.store(this.control, w * CONTROL_SLOTS, POSTED);
      Atomics.notify(this.control, w * CONTROL_SLOTS);
      used++;
    }
    const first = Math.min(count, per);
    convertFloat32BytesToFloat16Into(bytes.subarray(0, first * 4), out.subarray(0, first * 2), stats);
    for (let w = 0; w < used; w++) {
      const slot = w * CONTROL_SLOTS;
      const started = Date.now();
      while (Atomics.load(this.control, slot) === POSTED) {
        if (Date.now() - started > WAIT_LIMIT_MS) throw new Error(`fp16 conversion thread ${w + 1} did not answer in ${WAIT_LIMIT_MS / 1000} s`);
        Atomics.wait(this.control, slot, POSTED, 1000);
      }
      if (Atomics.load(this.control, slot) !== DONE) throw new Error(`fp16 conversion thread ${w + 1} failed`);
      stats.clamped += this.control[slot + 1];
      stats.raised += this.control[slot + 2];
      Atomics.store(this.control, slot, IDLE);
    }
    return out;
  }

  /** Lets the workers end (each leaves its loop); they are unref'd, so nothing waits for them. */
  close(): void {
    for (let w = 0; w < this.workers.length; w++) {
      if (w < this.live) {
        this.ports[w].postMessage('exit');
        Atomics.store(this.control, w * CONTROL_SLOTS, POSTED);
        Atomics.notify(this.control, w * CONTROL_SLOTS);
      } else void this.workers[w].terminate();
    }
  }
}
