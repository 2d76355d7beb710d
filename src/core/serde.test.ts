import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Long from 'long';
import { Root, type INamespace } from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes';
import { CastawayError } from './errors';
import schemaJson from './onnx/onnx-proto.json';
import { DataType, type ModelProto, type NodeProto, type TensorProto } from './onnx/proto-types';
import { UNKNOWN_FIELDS, decodeMessage, decodeModel, encodeMessage, encodeModel, encodeModelPieces } from './serde';
import { attr, buildGraph, buildModel, constant, floatTensor, node, valueInfo } from './testing/build-model';

const fixtureDir = fileURLToPath(new URL('../../fixtures/models/', import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.onnx')).sort();
const readFixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixtureDir + name));

function errorOf(run: () => unknown): CastawayError {
  try {
    run();
  } catch (error) {
    if (error instanceof CastawayError) return error;
    throw new Error(`expected a CastawayError, got ${String(error)}`);
  }
  throw new Error('expected a CastawayError, nothing was thrown');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A length-delimited field: tag, varint length, payload. */
function ld(field: number, payload: Uint8Array): Uint8Array {
  const head: number[] = [];
  for (let v = (field << 3) | 2; ; v >>>= 7) { if (v < 0x80) { head.push(v); break; } head.push((v & 0x7f) | 0x80); }
  for (let v = payload.length; ; v >>>= 7) { if (v < 0x80) { head.push(v); break; } head.push((v & 0x7f) | 0x80); }
  return concatBytes([Uint8Array.from(head), payload]);
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tinyModel = (): ModelProto => buildModel({
  inputs: [valueInfo('x', DataType.FLOAT, ['batch', 4])],
  outputs: [valueInfo('y', DataType.FLOAT, ['batch', 4])],
  initializers: [floatTensor('w', [4], [1, 2, 3, 4])],
  nodes: [node('Add', ['x', 'w'], ['y'])],
});

describe('fixtures round trip', () => {
  it.each(fixtures)('%s: decode -> encode gives the same bytes, rawData are views', (name) => {
    const bytes = readFixture(name);
    const model = decodeModel(bytes);
    expect(model.graph?.node?.length).toBeGreaterThan(0);
    const initializers = model.graph?.initializer ?? [];
    expect(initializers.length).toBeGreaterThan(0);
    for (const t of initializers) {
      if (!t.rawData) continue;
      expect(t.rawData.buffer).toBe(bytes.buffer);
      expect(t.rawData.constructor).toBe(Uint8Array);
    }
    expect(equalBytes(encodeModel(model), bytes)).toBe(true);
  });

  it.each(fixtures)('%s: encodeModelPieces concatenates to the same bytes, large fields by reference', (name) => {
    const bytes = readFixture(name);
    const model = decodeModel(bytes);
    for (const pieceMin of [1, 100, 1 << 16, Infinity]) {
      const pieces = encodeModelPieces(model, pieceMin);
      const joined = concatBytes(pieces);
      expect(equalBytes(joined, bytes)).toBe(true);
      const raw = model.graph!.initializer!.find((t) => (t.rawData?.length ?? 0) >= pieceMin)?.rawData;
      if (raw) expect(pieces).toContain(raw);
    }
  });

  it('a Node Buffer input gives plain Uint8Array views into the same memory', () => {
    const buffer = readFileSync(fixtureDir + fixtures[0]);
    const model = decodeModel(buffer);
    const raw = model.graph!.initializer!.find((t) => t.rawData)!.rawData!;
    expect(raw.buffer).toBe(buffer.buffer);
    expect(raw.constructor).toBe(Uint8Array);
  });

  it('agrees with protobufjs: its encoder writes our decoded model back to the same bytes', () => {
    const type = Root.fromJSON(schemaJson as unknown as INamespace).lookupType('onnx.ModelProto');
    const bytes = readFixture('bert-tiny-o14.onnx');
    expect(equalBytes(type.encode(decodeModel(bytes)).finish(), bytes)).toBe(true);
  });

  it('decodes only the fields present (no defaults), int64 as Long', () => {
    const model = decodeModel(readFixture('bert-tiny-o14.onnx'));
    expect(Long.isLong(model.irVersion)).toBe(true);
    expect(Long.isLong(model.opsetImport![0].version)).toBe(true);
    expect('functions' in model).toBe(false);
    const n = model.graph!.node![0];
    expect(Object.keys(n).every((k) => (n as Record<string, unknown>)[k] !== undefined)).toBe(true);
  });
});

describe('encoding', () => {
  it('round-trips int64 values beyond 2^53 exactly, signed and unsigned', () => {
    const ints = [Long.MAX_VALUE, Long.MIN_VALUE, Long.fromNumber(-1), Long.fromString('9007199254740993'), Long.fromNumber(0)];
    const attribute = { ...attr.ints('big', []), ints };
    const back = decodeMessage('AttributeProto', encodeMessage('AttributeProto', attribute));
    expect(back.ints!.map((v) => v.toString())).toEqual(ints.map((v) => v.toString()));

    const tensor: TensorProto = { dims: [2], dataType: DataType.UINT64, uint64Data: [Long.MAX_UNSIGNED_VALUE, Long.UONE], int64Data: [Long.MIN_VALUE, -5] };
    const t = decodeMessage('TensorProto', encodeMessage('TensorProto', tensor));
    expect(t.uint64Data!.map((v) => v.toString())).toEqual(['18446744073709551615', '1']);
    expect(t.int64Data!.map((v) => v.toString())).toEqual(['-9223372036854775808', '-5']);
  });

  it('takes plain numbers and structured-cloned Longs for int64 fields', () => {
    const cloned = structuredClone(Long.fromString('-123456789012345'));
    const t = decodeMessage('TensorProto', encodeMessage('TensorProto', { dims: [-1, 3, cloned as unknown as Long], dataType: 1 }));
    expect(t.dims!.map(String)).toEqual(['-1', '3', '-123456789012345']);
  });

  it('writes proto2 repeated scalars unpacked, [packed=true] fields packed, and reads either form', () => {
    const bytes = encodeMessage('TensorProto', { dims: [2, 3], floatData: [1, 2] });
    // dims: two separate tag-8 varints; float_data: one tag-0x22 run of 8 bytes.
    expect([...bytes]).toEqual([0x08, 2, 0x08, 3, 0x22, 8, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
    const packedDims = Uint8Array.from([0x0a, 2, 2, 3, 0x25, 0, 0, 0x80, 0x3f, 0x25, 0, 0, 0, 0x40]);
    const t = decodeMessage('TensorProto', packedDims);
    expect(t.dims!.map(String)).toEqual(['2', '3']);
    expect(t.floatData).toEqual([1, 2]);
  });

  it('keeps strings exactly: non-ASCII, long, and a leading BOM', () => {
    const names = ['/encoder/layer.0/Add', 'größe_ß_名前_🙂', '\uFEFFbom', 'x'.repeat(500) + 'é'];
    const n = decodeMessage('NodeProto', encodeMessage('NodeProto', node('Identity', names, ['y'])));
    expect(n.input).toEqual(names);
  });

  it('refuses nothing it can write: a built model decodes to an equal object', () => {
    const model = tinyModel();
    const back = decodeModel(encodeModel(model));
    expect(encodeModel(back)).toEqual(encodeModel(model));
    expect(back.graph!.node![0]).toEqual(model.graph!.node![0]);
  });

  it('reads only the fields a message sets, whatever order its keys are in, and writes them in field order', () => {
    // Every message wrapped so that reading a property it does not have throws: the encoder must walk the
    // fields present, not look up each of the schema's (an AttributeProto sets 2 of 18; those misses by a
    // varying name were over half of encoding a 44k-node model).
    const strict = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(strict);
      if (value === null || typeof value !== 'object' || value instanceof Uint8Array || Long.isLong(value)) return value;
      const target = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strict(v)]));
      return new Proxy(target, {
        get: (t, key) => {
          if (typeof key === 'string' && !(key in t)) throw new Error(`read absent field ${key}`);
          return Reflect.get(t, key);
        },
      });
    };
    const model = tinyModel();
    const expected = encodeModel(model);
    expect(encodeModel(strict(model) as ModelProto)).toEqual(expected);
    expect(encodeModelPieces(strict(model) as ModelProto, 1)).toEqual(encodeModelPieces(model, 1));
    // keys in reverse field order (objects built by spreading): still written in field-number order
    const reversed = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(reversed);
      if (value === null || typeof value !== 'object' || value instanceof Uint8Array || Long.isLong(value)) return value;
      return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
    };
    expect(encodeModel(reversed(model) as ModelProto)).toEqual(expected);
  });

  it('refuses a model over 2 GiB', () => {
    const big = new Uint8Array(1 << 20);
    const initializers = Array.from({ length: 2049 }, (_, i) => ({ name: `w${i}`, dataType: DataType.UINT8, dims: [1 << 20], rawData: big }));
    const model = buildModel({ initializers });
    expect(errorOf(() => encodeModel(model)).code).toBe('unsupported');
  });
});

describe('unknown fields', () => {
  const varintField = (field: number, value: number): Uint8Array => Uint8Array.from([(field << 3) | 0, value]);

  it('survive decode -> encode at their field-number position', () => {
    const chunk15 = varintField(15, 7); // between data_location (14) and metadata_props (16)
    const chunk30 = ld(30, Uint8Array.from([1, 2, 3]));
    const withoutUnknown: TensorProto = { dims: [1], dataType: DataType.FLOAT, name: 't', rawData: new Uint8Array(4), dataLocation: 0 };
    const meta = { metadataProps: [{ key: 'k', value: 'v' }] };
    const bytes = concatBytes([encodeMessage('TensorProto', withoutUnknown), chunk15, encodeMessage('TensorProto', meta), chunk30]);
    const t = decodeMessage('TensorProto', bytes);
    expect(t[UNKNOWN_FIELDS]).toEqual([chunk15, chunk30]);
    expect(equalBytes(encodeMessage('TensorProto', t), bytes)).toBe(true);
    // written in field-number order even when given out of order
    expect(equalBytes(encodeMessage('TensorProto', { ...t, [UNKNOWN_FIELDS]: [chunk30, chunk15] }), bytes)).toBe(true);
  });

  it('survive a whole-model round trip, nested and at the top level', () => {
    const model = tinyModel();
    const chunkModel = ld(21, Uint8Array.from([0x0a, 1, 0x41])); // a newer ModelProto field
    const chunkNode = varintField(11, 1);
    const nodeWithUnknown: NodeProto = { ...model.graph!.node![0], [UNKNOWN_FIELDS]: [chunkNode] };
    const bytes = encodeModel({ ...model, graph: { ...model.graph, node: [nodeWithUnknown] }, [UNKNOWN_FIELDS]: [chunkModel] });
    const back = decodeModel(bytes);
    expect(back[UNKNOWN_FIELDS]).toEqual([chunkModel]);
    expect(back.graph!.node![0][UNKNOWN_FIELDS]).toEqual([chunkNode]);
    expect(equalBytes(encodeModel(back), bytes)).toBe(true);
    expect(structuredClone(back)[UNKNOWN_FIELDS]).toEqual([chunkModel]);
  });
});

describe('bad input', () => {
  it('empty file -> not-onnx', () => {
    const error = errorOf(() => decodeModel(new Uint8Array(0)));
    expect(error.code).toBe('not-onnx');
    expect(error.message).toMatch(/empty/);
  });

  it('text -> not-protobuf', () => {
    const text = new TextEncoder().encode('This is not a model, just some words in a file.\n');
    expect(errorOf(() => decodeModel(text)).code).toBe('not-protobuf');
    const json = new TextEncoder().encode('{"graph": {"node": []}, "opset_import": [{"version": 17}]}');
    expect(errorOf(() => decodeModel(json)).code).toBe('not-protobuf');
  });

  it('a PNG -> not-protobuf', () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
      8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5,
      0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ]);
    expect(errorOf(() => decodeModel(png)).code).toBe('not-protobuf');
  });

  it('random bytes -> a CastawayError, mostly not-protobuf, never a crash', () => {
    const random = mulberry32(42);
    const codes = new Map<string, number>();
    for (let i = 0; i < 500; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 4096) }, () => Math.floor(random() * 256));
      const code = errorOf(() => decodeModel(bytes)).code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect([...codes.keys()].every((c) => ['not-protobuf', 'not-onnx', 'truncated'].includes(c))).toBe(true);
    expect(codes.get('not-protobuf')!).toBeGreaterThan(450);
  });

  it('truncated file -> truncated, with the byte offset', () => {
    const bytes = readFixture('pegasus-small-o18-encoder.onnx');
    for (const cut of [1, 20, 100, 1000, bytes.length >> 1, bytes.length - 100]) {
      const error = errorOf(() => decodeModel(bytes.subarray(0, cut)));
      expect(error.code, `cut at ${cut}`).toBe('truncated');
      expect(error.where).toMatch(/^byte \d+/);
      expect(error.message).toContain(`the input ends at byte ${cut}`);
    }
  });

  it('valid protobuf that is not a model -> not-onnx', () => {
    const nodeBytes = encodeMessage('NodeProto', node('Relu', ['x'], ['y'], { name: 'relu' }));
    expect(errorOf(() => decodeModel(nodeBytes)).code).toBe('not-onnx');
    const noOpset = encodeModel({ ...tinyModel(), opsetImport: undefined });
    expect(errorOf(() => decodeModel(noOpset)).message).toMatch(/opset_import/);
    const noGraph = encodeModel({ ...tinyModel(), graph: undefined });
    expect(errorOf(() => decodeModel(noGraph)).message).toMatch(/no graph/);
  });

  it('absurd dims -> absurd-dims naming the tensor', () => {
    const withInit = (t: TensorProto): Uint8Array => encodeModel(buildModel({ initializers: [t] }));
    const negative = errorOf(() => decodeModel(withInit({ ...floatTensor('neg', [1], [1]), dims: [-1] })));
    expect(negative.code).toBe('absurd-dims');
    expect(negative.message).toContain("'neg'");
    const overflow = errorOf(() => decodeModel(withInit({ ...floatTensor('huge', [1], [1]), dims: [1 << 30, 1 << 30, 1 << 30] })));
    expect(overflow.code).toBe('absurd-dims');
    expect(overflow.message).toContain("'huge'");
    const beyondLong = errorOf(() => decodeModel(withInit({ ...floatTensor('max', [1], [1]), dims: [Long.MAX_VALUE] })));
    expect(beyondLong.code).toBe('absurd-dims');
    const mismatch = errorOf(() => decodeModel(withInit(floatTensor('short', [2, 3], [1, 2, 3, 4, 5]))));
    expect(mismatch.code).toBe('absurd-dims');
    expect(mismatch.message).toMatch(/'short'.*24 bytes.*20 bytes/);
    const typed = errorOf(() => decodeModel(withInit({ name: 'typed', dataType: DataType.FLOAT, dims: [3], floatData: [1, 2] })));
    expect(typed.code).toBe('absurd-dims');
  });

  it('absurd dims inside a Constant attribute of a subgraph are found too', () => {
    const body = buildGraph({ name: 'then', nodes: [constant('c', { ...floatTensor('c', [2], [1, 2]), dims: [3] })], outputs: [valueInfo('c', DataType.FLOAT)] });
    const model = buildModel({ nodes: [node('If', ['cond'], ['c'], { attributes: [attr.graph('then_branch', body), attr.graph('else_branch', body)] })] });
    const error = errorOf(() => decodeModel(encodeModel(model)));
    expect(error.code).toBe('absurd-dims');
    expect(error.where).toMatch(/node 'Constant_0' in graph 'then'/);
  });

  it('nesting deeper than 100 -> unsupported, not a stack overflow', () => {
    let type: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 1000; i++) type = ld(4, ld(1, type)); // TypeProto.sequence_type(4) -> Sequence.elem_type(1) -> ...
    const deep = concatBytes([Uint8Array.from([0x08, 0x08]), ld(7, ld(11, ld(2, type)))]);
    expect(errorOf(() => decodeModel(deep)).code).toBe('unsupported');
    expect(errorOf(() => decodeMessage('TypeProto', type)).code).toBe('unsupported');
  });

  it('mutated and cut fixtures never crash or hang', () => {
    const original = readFixture('pegasus-small-o18-encoder.onnx');
    const random = mulberry32(7);
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const bytes = original.slice(0, 20_000 + Math.floor(random() * (original.length - 20_000)));
      for (let k = 0; k < 1 + Math.floor(random() * 8); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        decodeModel(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(CastawayError);
      }
    }
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
