// Source bytes of decoded messages that re-encode to exactly those bytes, so that the encoder copies them
// instead of walking every field again. A convert writes back most of a model's nodes unchanged (the
// rewrite shares untouched NodeProto objects and copies the ones it changes), and encoding 44k nodes field
// by field was ~0.25 s of a cold convert.
//
// Only messages whose codec has `keepsSource` (NodeProto) are remembered, and only when the decoder saw
// nothing in their bytes that the encoder would write differently (Decoder.irregular: fields out of
// field-number order or repeated where they may not be, a scalar in the other packing, an unknown field,
// a varint longer than needed, a value that does not survive the trip through a JS number: NaN floats,
// bools other than 0/1, a negative int32 not in its 10-byte form, invalid UTF-8). Message objects are never
// mutated after decoding (the engine copies what it changes), and a copy is a new object: it is not here.
import type { Msg } from './schema';

/**
 * A decoded message of a keepsSource type. Its source sits in a private field: no spread copy, structured
 * clone or worker message carries it over (a copy may differ), for-in and JSON do not see it, and setting
 * it at decode time adds no property to the object (Object.defineProperty per node cost ~50 ms cold, a
 * WeakMap entry per node ~150 ms).
 */
export class SourcedMessage {
  // the input buffer and the range: no view per message made at decode (44k views would all survive)
  #buffer: Uint8Array | undefined = undefined;
  #start = 0;
  #end = 0;

  static remember(msg: SourcedMessage, buffer: Uint8Array, start: number, end: number): void {
    msg.#buffer = buffer;
    msg.#start = start;
    msg.#end = end;
  }

  /** The source's length, -1 for none. */
  static length(msg: object): number {
    return #buffer in msg && (msg as SourcedMessage).#buffer ? (msg as SourcedMessage).#end - (msg as SourcedMessage).#start : -1;
  }

  static copy(msg: SourcedMessage, into: Uint8Array, at: number): void {
    into.set(msg.#buffer!.subarray(msg.#start, msg.#end), at);
  }

  static of(msg: object): Uint8Array | undefined {
    return SourcedMessage.length(msg) >= 0 ? (msg as SourcedMessage).#buffer!.subarray((msg as SourcedMessage).#start, (msg as SourcedMessage).#end) : undefined;
  }
}

/** Records that `msg` was decoded from buffer[start, end) and re-encodes to exactly those bytes. */
export function rememberSource(msg: Msg, buffer: Uint8Array, start: number, end: number): void {
  SourcedMessage.remember(msg as unknown as SourcedMessage, buffer, start, end);
}

/** The bytes `msg` was decoded from, when they are exactly what encoding it would write. */
export function sourceOf(msg: Msg): Uint8Array | undefined {
  return SourcedMessage.of(msg);
}

/** sourceOf(msg)'s length without a view of it, -1 for none. */
export function sourceLength(msg: Msg): number {
  return SourcedMessage.length(msg);
}

/** Writes sourceOf(msg) into `into` at `at`. */
export function copySource(msg: Msg, into: Uint8Array, at: number): void {
  SourcedMessage.copy(msg as unknown as SourcedMessage, into, at);
}
