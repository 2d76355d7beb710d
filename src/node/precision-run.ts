// The precision preview's runtime on onnxruntime-node (CPU): the same RunModel the browser worker builds
// over onnxruntime-web, so Node tests and the companion compute the same comparisons.
import * as ort from 'onnxruntime-node';
import { ortRunner, type OrtBinding } from '../core/tensor/ort-port';
import type { RunModel } from '../core/precision/preview';

export function nodeRunner(executionProviders: string[] = ['cpu']): RunModel {
  return ortRunner(ort as unknown as OrtBinding, { executionProviders });
}
