import { describe, expect, it } from 'vitest';
import { packValues, packedBuffers, unpackValues } from './packed-values';

describe('packed values', () => {
  it('round-trips every value bit for bit, in order, empty ones included', () => {
    const nan = new Float32Array(new Uint32Array([0x7fc00123]).buffer)[0];
    const values: Record<string, Float32Array> = {
      '/layers.0/Add_output_0': new Float32Array([1.5, -0, nan, Infinity, 3e-41]),
      empty: new Float32Array(0),
      last: new Float32Array([65504, -65505.5]),
    };
    const packed = packValues(values);
    expect(packed.data.length).toBe(7);
    expect(packedBuffers(packed)).toHaveLength(2);
    const back = unpackValues(packed);
    expect(Object.keys(back)).toEqual(Object.keys(values));
    for (const [name, data] of Object.entries(values)) {
      expect(new Uint32Array(back[name].slice().buffer)).toEqual(new Uint32Array(data.slice().buffer));
    }
    // Views, not copies: one buffer crosses between workers.
    expect(back.last.buffer).toBe(packed.data.buffer);
  });

  it('survives a structured clone with one transfer', () => {
    const values = { a: new Float32Array([1, 2, 3]), b: new Float32Array([4]) };
    const packed = packValues(values);
    const cloned = structuredClone(packed, { transfer: packedBuffers(packed) });
    expect(unpackValues(cloned)).toEqual(values);
  });
});
