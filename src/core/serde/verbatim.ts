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
  #source: Uint8Array | undefined = undefined;

  static remember(msg: SourcedMessage, bytes: Uint8Array): void {
    msg.#source = bytes;
  }

  static of(msg: object): Uint8Array | undefined {
    return #source in msg ? (msg as SourcedMessage).#source : undefined;
  }
}

export function rememberSource(msg: Msg, bytes: Uint8Array): void {
  SourcedMessage.remember(msg as unknown as SourcedMessage, bytes);
}

/** The bytes `msg` was decoded from, when they are exactly what encoding it would write. */
export function sourceOf(msg: Msg): Uint8Array | undefined {
  return SourcedMessage.of(msg);
}
