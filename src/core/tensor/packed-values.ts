// Many named float32 values as one buffer, for the hop from a runtime worker to the model worker. A per-node
// preview returns ~7,000 values per model; posted as a record, each array is a transferable of its own and
// the structured clone pays per array (about 0.1-0.2 s per message on the 64-layer decoder). One buffer
// and its offsets cost one transfer; the receiver reads the values as views into it, bit for bit the same.

export interface PackedValues {
  names: string[];
  /** Value k is data[offsets[k] .. offsets[k + 1]). */
  offsets: Float64Array;
  data: Float32Array;
}

export function packValues(values: Readonly<Record<string, Float32Array>>): PackedValues {
  const names = Object.keys(values);
  const offsets = new Float64Array(names.length + 1);
  names.forEach((name, k) => (offsets[k + 1] = offsets[k] + values[name].length));
  const data = new Float32Array(offsets[names.length]);
  // A typed-array copy between arrays of one type copies bits: NaN payloads and -0 survive.
  names.forEach((name, k) => data.set(values[name], offsets[k]));
  return { names, offsets, data };
}

/** The values as views into the packed data (no copies): the record packValues was given. */
export function unpackValues(packed: PackedValues): Record<string, Float32Array> {
  const values: Record<string, Float32Array> = {};
  packed.names.forEach((name, k) => (values[name] = packed.data.subarray(packed.offsets[k], packed.offsets[k + 1])));
  return values;
}

/** The buffers a packed record can hand over without a copy. */
export function packedBuffers(packed: PackedValues): ArrayBuffer[] {
  return [packed.offsets.buffer, packed.data.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
