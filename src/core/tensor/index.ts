// Everything about data that is not the graph: element types, the half-precision codec, host tensors,
// seeded inputs, run statistics and the port to onnxruntime. Imports nothing outside core.
export * from './dtype';
export * from './half';
export { disableHalfKernels } from './half-wasm';
export * from './host-tensor';
export * from './ort-port';
export * from './run-stats';
export * from './seeded-inputs';
export * from './low-precision';
export * from './packed-values';
