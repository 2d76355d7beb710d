import { describe, expect, it } from 'vitest';
import { DataType } from '../onnx/proto-types';
import { bindUserInputs, parseJsonInputs, parseNpy } from './user-inputs';

/** A .npy file as numpy.save writes it (format 1.0, header padded to a multiple of 64). */
function npy(descr: string, shape: number[], data: ArrayBufferView): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

describe('parseNpy', () => {
  it('reads float32 and int64 arrays with their shapes', () => {
    const f = parseNpy(npy('<f4', [2, 2], new Float32Array([1, 2, 3, 4.5])));
    expect(f.dims).toEqual([2, 2]);
    expect([...(f.values as Float32Array)]).toEqual([1, 2, 3, 4.5]);
    const i = parseNpy(npy('<i8', [3], new BigInt64Array([5n, 6n, 7n])));
    expect(i.dims).toEqual([3]);
    expect([...(i.values as BigInt64Array)]).toEqual([5n, 6n, 7n]);
  });
  it('reads every dtype code it accepts into the matching array, float16 expanded to float32', () => {
    const cases: [string, ArrayBufferView, (number | bigint)[]][] = [
      ['<f2', new Uint16Array([0x3c00, 0xc000]), [1, -2]],
      ['<f8', new Float64Array([0.25, -1e300]), [0.25, -1e300]],
      ['|i1', new Int8Array([-128, 127]), [-128, 127]],
      ['<i2', new Int16Array([-32768, 5]), [-32768, 5]],
      ['<i4', new Int32Array([-7, 2 ** 31 - 1]), [-7, 2 ** 31 - 1]],
      ['|u1', new Uint8Array([0, 255]), [0, 255]],
      ['|b1', new Uint8Array([1, 0]), [1, 0]],
      ['<u2', new Uint16Array([65535, 1]), [65535, 1]],
      ['<u4', new Uint32Array([2 ** 32 - 1, 3]), [2 ** 32 - 1, 3]],
      ['<u8', new BigUint64Array([2n ** 64n - 1n, 9n]), [2n ** 64n - 1n, 9n]],
    ];
    for (const [descr, data, expected] of cases) {
      const parsed = parseNpy(npy(descr, [2], data));
      expect(parsed.dims, descr).toEqual([2]);
      expect(Array.from(parsed.values as ArrayLike<number | bigint>), descr).toEqual(expected);
    }
    expect(parseNpy(npy('<f2', [1], new Uint16Array([0x3c00]))).values).toBeInstanceOf(Float32Array);
  });
  it('rejects what is not .npy, with a code', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))).toThrow(/not a NumPy/);
    expect(() => parseNpy(npy('<c8', [1], new Float32Array(2)))).toThrow(/not supported/);
  });
});

describe('JSON inputs', () => {
  it('reads nested arrays and { dims, data }', () => {
    const parsed = parseJsonInputs('{"ids": [[1, 2, 3]], "mask": {"dims": [1, 3], "data": [1, 1, 0]}}');
    expect(parsed.ids.dims).toEqual([1, 3]);
    expect(parsed.mask.values).toEqual([1, 1, 0]);
    expect(() => parseJsonInputs('{"x": [[1, 2], [3]]}')).toThrow(/ragged/);
    expect(() => parseJsonInputs('{"x": {"dims": [2], "data": [1]}}')).toThrow(/need 2 values/);
  });

  it('binds to the model inputs: types converted, symbolic dims free, fixed dims checked', () => {
    const specs = [
      { name: 'ids', elemType: DataType.INT64, dims: [1, 8], symbolic: [true, true] },
      { name: 'x', elemType: DataType.FLOAT, dims: [1, 2], symbolic: [true, false] },
    ];
    const bound = bindUserInputs(specs, parseJsonInputs('{"ids": [[4, 5, 6]], "x": [[0.5, 1], [2, 3]]}'));
    expect(bound[0].type).toBe('int64');
    expect([...(bound[0].data as BigInt64Array)]).toEqual([4n, 5n, 6n]);
    expect(bound[1].dims).toEqual([2, 2]);
    expect(() => bindUserInputs(specs, parseJsonInputs('{"ids": [[1]], "x": [[1, 2, 3]]}'))).toThrow(/dim 1 is 3/);
    expect(() => bindUserInputs(specs, parseJsonInputs('{"ids": [[1]]}'))).toThrow(/no data given for input x/);
    expect(() => bindUserInputs(specs, parseJsonInputs('{"ids": [[1]], "x": [[1, 2]], "y": [1]}'))).toThrow(/no input named y/);
  });
});
