// The runtime worker's RPC surface, declared once: workers/runtime.worker.ts implements it, and the model
// worker's precision service (workers/precision.ts) calls it over a MessageChannel the page sets up. The
// runtime worker holds onnxruntime-web and nothing of the engine: the model stays decoded once, in the model
// worker, and runs never block planning.
import type { HostTensor, PieceProgram } from '../src/core/index';
import type { NamedBytes } from './model-api';
import type { Outcome } from './outcome';
import type { TimedRun, WebGpuInfo } from './precision-api';

export interface RuntimeWorkerApi {
  /** Runs a model once on the wasm backend (preview session options); float outputs as float32. */
  run(bytes: Uint8Array, feeds: HostTensor[]): Promise<Outcome<Record<string, Float32Array>>>;
  /** Runs a model the model worker split into pieces (pieceProgram), sessions kept per distinct piece. */
  runPieces(program: PieceProgram, feeds: HostTensor[]): Promise<Outcome<Record<string, Float32Array>>>;
  /** Warm-up and timed runs of a model on one EP; the last run's float outputs. */
  time(
    model: { bytes: Uint8Array; externalFiles: NamedBytes[] },
    feeds: HostTensor[],
    ep: 'webgpu' | 'wasm',
    runs: number,
    warmup: number,
    fallbackReason?: string,
  ): Promise<Outcome<{ timed: TimedRun; outputs: Record<string, Float32Array> }>>;
  webgpu(): Promise<WebGpuInfo>;
}

/** The runtime worker's own endpoint: the page hands it the port the model worker talks on. */
export interface RuntimeWorkerEndpoint {
  serve(port: MessagePort): Promise<void>;
}
