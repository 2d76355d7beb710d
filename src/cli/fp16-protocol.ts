// What the CLI's main thread and its fp16 worker threads share (fp16-threads.ts, fp16-worker.ts): per
// worker, CONTROL_SLOTS Int32 slots of one SharedArrayBuffer: its state, then the clamped and raised counts
// of its last range.
export const CONTROL_SLOTS = 4;
export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;

/** One range of one tensor: `count` float32s at inOffset of `input` to halves at outOffset of `output`. */
export interface RangeTask {
  input: SharedArrayBuffer;
  inOffset: number;
  output: SharedArrayBuffer;
  outOffset: number;
  count: number;
}
