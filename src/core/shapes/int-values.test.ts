import { describe, expect, it } from 'vitest';
import { DataType } from '../onnx/proto-types';
import { intValues } from './infer-shapes';

describe('intValues (shape arguments read from raw int64 data)', () => {
  it('reads every int64 as Number(bigint) would, at both ends and past 2^53', () => {
    const edges = [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 63n - 1n, -(2n ** 63n), 0x7ffffffffffffbffn, 0x123456789abcdef1n, -0x123456789abcdef1n];
    const raw = new Uint8Array(edges.length * 8 + 1);
    const view = new DataView(raw.buffer, 1); // an unaligned view, as initializers inside a file are
    edges.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    const tensor = { dataType: DataType.INT64, dims: [edges.length], rawData: raw.subarray(1) };
    expect(intValues(tensor)).toEqual(edges.map((v) => Number(v)));
  });

  it('reads int32 data, and refuses raw data of the wrong length', () => {
    const raw = new Uint8Array(new Int32Array([5, -7, 2 ** 31 - 1, -(2 ** 31)]).buffer);
    expect(intValues({ dataType: DataType.INT32, dims: [4], rawData: raw })).toEqual([5, -7, 2 ** 31 - 1, -(2 ** 31)]);
    expect(intValues({ dataType: DataType.INT64, dims: [2], rawData: new Uint8Array(12) })).toBeUndefined();
  });
});
