// The globals the engine uses that every runtime it runs in has (browsers, workers, Node), declared here so
// that src/core compiles with lib ES2022 alone (src/core/tsconfig.json), no DOM and no Node types.
declare const performance: { now(): number };
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
