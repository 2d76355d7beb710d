// A worker thread of the CLI's fp16 conversion (fp16-threads.ts): converts the ranges of large tensors it is
// handed, reading and writing SharedArrayBuffers. It blocks in Atomics.wait between ranges and takes each
// task with receiveMessageOnPort, so the main thread, itself blocked inside the engine's synchronous
// rewrite, never needs its event loop to hand out work.
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { convertFloat32BytesToFloat16Into } from '../core/index';
import { CONTROL_SLOTS, DONE, IDLE, type RangeTask } from './fp16-protocol';

const { control, index, port } = workerData as { control: Int32Array; index: number; port: MessagePort };
const slot = index * CONTROL_SLOTS;
port.postMessage('ready');
for (;;) {
  Atomics.wait(control, slot, IDLE);
  const received = receiveMessageOnPort(port);
  if (!received) {
    // posted and flagged in that order, but be safe: look again shortly
    Atomics.wait(control, slot + 3, 0, 1);
    continue;
  }
  const task = received.message as RangeTask | 'exit';
  if (task === 'exit') break;
  const stats = { clamped: 0, raised: 0 };
  convertFloat32BytesToFloat16Into(new Uint8Array(task.input, task.inOffset, task.count * 4), new Uint8Array(task.output, task.outOffset, task.count * 2), stats);
  control[slot + 1] = stats.clamped;
  control[slot + 2] = stats.raised;
  Atomics.store(control, slot, DONE);
  Atomics.notify(control, slot);
}
port.close();
