import Long from 'long';
import { describe, expect, it } from 'vitest';
import { CastawayError } from './errors';
import {
  EXTERNAL,
  externalDataInfo,
  externalDataLocations,
  mapTensors,
  resolveExternalData,
  tensorBytes,
  visitTensors,
  writeExternalData,
} from './external-data';
import { DataType, type ModelProto, type TensorProto } from './onnx/proto-types';
import { decodeModel, encodeModel } from './serde';
import { attr, buildGraph, buildModel, constant, float16Tensor, floatTensor, int64Tensor, node, valueInfo } from './testing/build-model';

function errorOf(run: () => unknown): CastawayError {
  try {
    run();
  } catch (error) {
    if (error instanceof CastawayError) return error;
    throw error;
  }
  throw new Error('expected a CastawayError, nothing was thrown');
}

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

function sampleModel(): ModelProto {
  const body = buildGraph({
    name: 'then',
    initializers: [floatTensor('inner', [300], range(300, (i) => -i))],
    nodes: [node('Identity', ['inner'], ['t'])],
    outputs: [valueInfo('t', DataType.FLOAT, [300])],
  });
  return buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, [5000]), valueInfo('cond', DataType.BOOL, [])],
    outputs: [valueInfo('y', DataType.FLOAT, [5000])],
    initializers: [
      floatTensor('big', [5000], range(5000, (i) => i / 7)),
      floatTensor('small', [4], [1, 2, 3, 4]),
      int64Tensor('shape', [300], range(300, (i) => i - 150)),
    ],
    nodes: [
      constant('c', floatTensor('c', [2000], range(2000, (i) => i))),
      node('Add', ['x', 'big'], ['a']),
      node('If', ['cond'], ['t'], { attributes: [attr.graph('then_branch', body), attr.graph('else_branch', body)] }),
      node('Add', ['a', 'c'], ['y']),
    ],
  });
}

function allTensors(model: ModelProto): Map<string, TensorProto> {
  const out = new Map<string, TensorProto>();
  visitTensors(model, (t) => out.set(t.name ?? '', t));
  return out;
}

describe('writeExternalData -> encode -> decode -> resolveExternalData', () => {
  it('round-trips every tensor, moving only large initializers, at aligned offsets', () => {
    const model = sampleModel();
    const before = encodeModel(model);
    const { model: written, data } = writeExternalData(model, 'model.onnx.data', 1024);
    expect(encodeModel(model)).toEqual(before); // the input is not modified

    const moved = allTensors(written);
    for (const name of ['big', 'shape', 'inner']) {
      const t = moved.get(name)!;
      expect(t.dataLocation, name).toBe(EXTERNAL);
      expect(t.rawData).toBeUndefined();
      const info = externalDataInfo(t);
      expect(info.location).toBe('model.onnx.data');
      expect(info.offset % 4096).toBe(0);
    }
    expect(moved.get('small')!.rawData).toBeDefined();
    expect(moved.get('c')!.dataLocation).toBeUndefined(); // attribute tensors stay inline by default
    // big: 0..20000, shape: 20480..22880, inner (once per branch; both share one body): 24576..25776, 28672..29872
    expect(data.length).toBe(28672 + 1200);

    const decoded = decodeModel(encodeModel(written));
    resolveExternalData(decoded, new Map([['model.onnx.data', data]]));
    const original = allTensors(model);
    for (const [name, t] of allTensors(decoded)) {
      expect(tensorBytes(t), name).toEqual(tensorBytes(original.get(name)!));
      if (t.dataLocation === EXTERNAL) expect(tensorBytes(t)!.buffer).toBe(data.buffer);
    }
  });

  it('keeps tensors that were external external, whatever their size', () => {
    const { model: written, data } = writeExternalData(sampleModel(), 'w.bin', 1024);
    const decoded = resolveExternalData(decodeModel(encodeModel(written)), new Map([['w.bin', data]]));
    const again = writeExternalData(decoded, 'w2.bin', Number.MAX_SAFE_INTEGER);
    const tensors = allTensors(again.model);
    expect(externalDataInfo(tensors.get('inner')!).location).toBe('w2.bin');
    expect(tensors.get('small')!.rawData).toBeDefined();
    expect(tensorBytes(tensors.get('big')!)).toEqual(tensorBytes(allTensors(sampleModel()).get('big')!));
    expect(again.data.length).toBe(28672 + 1200);
  });

  it('encodes a resolved model exactly as it was read (externalBytes is not a proto field)', () => {
    const { model: written, data } = writeExternalData(sampleModel(), 'w.bin', 1024);
    const bytes = encodeModel(written);
    const resolved = resolveExternalData(decodeModel(bytes), new Map([['w.bin', data]]));
    expect(Buffer.compare(encodeModel(resolved), bytes)).toBe(0);
  });

  it('moves attribute tensors too when asked, with the alignment asked', () => {
    const { model: written, data } = writeExternalData(sampleModel(), 'w.bin', 1024, { includeAttributes: true, alignment: 64 });
    const c = allTensors(written).get('c')!;
    expect(c.dataLocation).toBe(EXTERNAL);
    const offsets = [...allTensors(written).values()].filter((t) => t.dataLocation === EXTERNAL).map((t) => externalDataInfo(t).offset);
    expect(offsets.every((o) => o % 64 === 0)).toBe(true);
    const decoded = resolveExternalData(decodeModel(encodeModel(written)), new Map([['w.bin', data]]));
    expect(tensorBytes(allTensors(decoded).get('c')!)).toEqual(tensorBytes(allTensors(sampleModel()).get('c')!));
  });

  it('lists locations, finds files by base name or without ./', () => {
    const { model: written, data } = writeExternalData(sampleModel(), 'sub/w.bin', 1024);
    expect(externalDataLocations(written)).toEqual(['sub/w.bin']);
    const decoded = decodeModel(encodeModel(written));
    expect(() => resolveExternalData(decoded, new Map([['w.bin', data]]))).not.toThrow();
    expect(() => writeExternalData(sampleModel(), '../w.bin')).toThrow(CastawayError);
  });
});

describe('resolveExternalData errors', () => {
  const external = (entries: Record<string, string>, dims = [4]): ModelProto => buildModel({
    initializers: [{
      name: 'w', dataType: DataType.FLOAT, dims: dims.map((d) => Long.fromNumber(d)), dataLocation: EXTERNAL,
      externalData: Object.entries(entries).map(([key, value]) => ({ key, value })),
    }],
  });

  it('missing file -> missing-external-data naming the tensor and the file', () => {
    const error = errorOf(() => resolveExternalData(external({ location: 'weights.bin' }), new Map()));
    expect(error.code).toBe('missing-external-data');
    expect(error.message).toContain("'w'");
    expect(error.message).toContain("'weights.bin'");
  });

  it('offset or length outside the file, or not matching the dims -> absurd-dims', () => {
    const files = new Map([['d', new Uint8Array(32)]]);
    expect(errorOf(() => resolveExternalData(external({ location: 'd', offset: '24', length: '16' }), files)).code).toBe('absurd-dims');
    expect(errorOf(() => resolveExternalData(external({ location: 'd', offset: '64' }), files)).code).toBe('absurd-dims');
    expect(errorOf(() => resolveExternalData(external({ location: 'd', offset: '0', length: '12' }), files)).code).toBe('absurd-dims');
    expect(errorOf(() => resolveExternalData(external({ location: 'd', offset: '-4' }), files)).code).toBe('absurd-dims');
    expect(errorOf(() => resolveExternalData(external({ location: 'd', offset: '1e3' }), files)).code).toBe('absurd-dims');
  });

  it('length defaults to the size from the dims; the view is into the supplied file', () => {
    const file = Uint8Array.from(range(32, (i) => i));
    const model = resolveExternalData(external({ location: 'd', offset: '8' }), new Map([['d', file]]));
    const bytes = tensorBytes(model.graph!.initializer![0])!;
    expect([...bytes]).toEqual(range(16, (i) => i + 8));
    expect(bytes.buffer).toBe(file.buffer);
  });

  it('checks every tensor before attaching any', () => {
    const model = external({ location: 'd' });
    model.graph!.initializer!.push({ ...model.graph!.initializer![0], name: 'v', externalData: [{ key: 'location', value: 'gone' }] });
    expect(errorOf(() => resolveExternalData(model, new Map([['d', new Uint8Array(16)]]))).code).toBe('missing-external-data');
    expect(model.graph!.initializer![0].externalBytes).toBeUndefined();
  });
});

describe('tensorBytes', () => {
  const le = (array: ArrayBufferView): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

  it('returns raw_data itself, not a copy', () => {
    const t = floatTensor('w', [2], [1, 2]);
    expect(tensorBytes(t)).toBe(t.rawData);
  });

  it('packs the typed fields little-endian', () => {
    expect(tensorBytes({ dataType: DataType.FLOAT, dims: [2], floatData: [1.5, -2] })).toEqual(le(Float32Array.of(1.5, -2)));
    expect(tensorBytes({ dataType: DataType.DOUBLE, dims: [1], doubleData: [Math.PI] })).toEqual(le(Float64Array.of(Math.PI)));
    expect(tensorBytes({ dataType: DataType.FLOAT16, dims: [2], int32Data: [0x3c00, 0xc000] })).toEqual(tensorBytes(float16Tensor('h', [2], [0x3c00, 0xc000])));
    expect(tensorBytes({ dataType: DataType.INT64, dims: [2], int64Data: [Long.fromNumber(-3), 5] })).toEqual(le(BigInt64Array.of(-3n, 5n)));
    expect(tensorBytes({ dataType: DataType.UINT32, dims: [1], uint64Data: [Long.fromNumber(0xfffffffe, true)] })).toEqual(le(Uint32Array.of(0xfffffffe)));
    expect(tensorBytes({ dataType: DataType.INT32, dims: [2], int32Data: [-1, 7] })).toEqual(le(Int32Array.of(-1, 7)));
    expect(tensorBytes({ dataType: DataType.BOOL, dims: [3], int32Data: [1, 0, 1] })).toEqual(Uint8Array.of(1, 0, 1));
    expect(tensorBytes({ dataType: DataType.INT4, dims: [3], int32Data: [0x21, 0x03] })).toEqual(Uint8Array.of(0x21, 0x03));
  });

  it('is undefined for strings, unresolved external data and missing data; empty for no elements', () => {
    expect(tensorBytes({ dataType: DataType.STRING, dims: [1], stringData: [Uint8Array.of(65)] })).toBeUndefined();
    expect(tensorBytes({ dataType: DataType.FLOAT, dims: [1], dataLocation: EXTERNAL })).toBeUndefined();
    expect(tensorBytes({ dataType: DataType.FLOAT, dims: [2] })).toBeUndefined();
    expect(tensorBytes({ dataType: DataType.FLOAT, dims: [0] })).toEqual(new Uint8Array(0));
  });
});

describe('mapTensors', () => {
  it('returns the same objects when nothing changes, and copies only the path to a change', () => {
    const model = sampleModel();
    expect(mapTensors(model, (t) => t)).toBe(model);
    const out = mapTensors(model, (t) => (t.name === 'inner' ? { ...t, docString: 'x' } : t));
    expect(out).not.toBe(model);
    expect(out.graph!.initializer).toBe(model.graph!.initializer);
    expect(out.graph!.node![0]).toBe(model.graph!.node![0]);
    expect(out.graph!.node![2]).not.toBe(model.graph!.node![2]);
    expect(model.graph!.node![2].attribute![0].g!.initializer![0].docString).toBeUndefined();
  });
});
