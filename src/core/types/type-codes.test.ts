import { describe, expect, it } from 'vitest';
import { DataType } from '../onnx/proto-types';
import { optionalInner, optionalOf, parseTypeString, seqElem, seqOf, typeCodeToString, typeProtoCode } from './type-codes';

describe('type codes', () => {
  it('tensors are their DataType; everything else is negative and round-trips', () => {
    expect(parseTypeString('tensor(float)')).toBe(DataType.FLOAT);
    expect(parseTypeString('tensor(float16)')).toBe(DataType.FLOAT16);
    expect(parseTypeString('tensor(float6e3m2)')).toBe(28);
    for (const text of ['seq(tensor(int64))', 'optional(tensor(bool))', 'optional(seq(tensor(float16)))', 'sparse_tensor(double)', 'map(string, float)', 'seq(map(int64, float))']) {
      const code = parseTypeString(text);
      expect(code).toBeLessThan(0);
      expect(typeCodeToString(code)).toBe(text);
    }
    expect(parseTypeString('map(int64,tensor(float))')).toBe(parseTypeString('map(int64, float)'));
  });

  it('wraps and unwraps sequences and optionals', () => {
    expect(seqElem(seqOf(DataType.FLOAT))).toBe(DataType.FLOAT);
    expect(seqElem(DataType.FLOAT)).toBeUndefined();
    expect(optionalInner(optionalOf(DataType.INT64)!)).toBe(DataType.INT64);
    expect(optionalInner(optionalOf(seqOf(DataType.FLOAT))!)).toBe(seqOf(DataType.FLOAT));
  });

  it('reads declared TypeProtos', () => {
    expect(typeProtoCode({ tensorType: { elemType: DataType.FLOAT16 } })).toBe(DataType.FLOAT16);
    expect(typeProtoCode({ tensorType: { elemType: 0 } })).toBeUndefined();
    expect(typeProtoCode({ sequenceType: { elemType: { tensorType: { elemType: DataType.INT32 } } } })).toBe(seqOf(DataType.INT32));
    expect(typeProtoCode(undefined)).toBeUndefined();
  });
});
