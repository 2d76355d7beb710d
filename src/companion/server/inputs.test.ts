import { describe, expect, it } from 'vitest';
import { buildInputs, InputError } from './inputs.js';
import { decodeTensor, encodeJobBody, decodeJobBody, parseCompanionUrl } from '../shared/protocol.js';
import { DataType, buildModel, encodeModel, floatTensor, generateInputs, float16BitsToFloat32 as fromHalfBits, float32ToFloat16Bits as toHalfBits, node, openModel, valueInfo } from '../../core/index';
import { latencyStats } from './runner.js';

const metas = [
  { name: 'input_ids', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
  { name: 'attention_mask', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
  { name: 'encoder_hidden_states', isTensor: true, type: 'float16', shape: ['batch', 'enc', 8] },
];

describe('input generation', () => {
  it('binds symbolic dims, ids under the vocab bound, masks of ones, seeded floats', () => {
    const xs = buildInputs(metas, { dims: { batch: 2, seq: 5, enc: 3 }, vocab: 7, seed: 1 });
    expect(xs.map((x) => x.dims)).toEqual([
      [2, 5],
      [2, 5],
      [2, 3, 8],
    ]);
    const ids = Array.from(xs[0].data as BigInt64Array, Number);
    expect(ids.every((v) => v >= 0 && v < 7)).toBe(true);
    expect(new Set(ids).size).toBeGreaterThan(1);
    expect(Array.from(xs[1].data as BigInt64Array, Number).every((v) => v === 1)).toBe(true);
    const h = Array.from(xs[2].data as Uint16Array, fromHalfBits);
    expect(h.every((v: number) => v >= -1 && v <= 1)).toBe(true);
    const again = buildInputs(metas, { dims: { batch: 2, seq: 5, enc: 3 }, vocab: 7, seed: 1 });
    expect(again[2].data).toEqual(xs[2].data);
    const other = buildInputs(metas, { dims: { batch: 2, seq: 5, enc: 3 }, vocab: 7, seed: 2 });
    expect(other[2].data).not.toEqual(xs[2].data);
  });

  it('gives the browser preview\'s data for the same seed: ids bounded by the embedding table', () => {
    const vocab = 11;
    const model = buildModel({
      inputs: [valueInfo('input_ids', DataType.INT64, ['batch', 'seq']), valueInfo('attention_mask', DataType.INT64, ['batch', 'seq']), valueInfo('x', DataType.FLOAT, ['batch', 4])],
      outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'seq', 4]), valueInfo('m', DataType.INT64, ['batch', 'seq']), valueInfo('z', DataType.FLOAT, ['batch', 4])],
      initializers: [floatTensor('table', [vocab, 4], Array.from({ length: vocab * 4 }, (_, i) => i))],
      nodes: [node('Gather', ['table', 'input_ids'], ['y']), node('Identity', ['attention_mask'], ['m']), node('Identity', ['x'], ['z'])],
    });
    const engine = openModel(encodeModel(model));
    const browser = generateInputs(engine.ir, { batch: 2, seq: 64 }, 5);
    const companion = buildInputs(
      [
        { name: 'input_ids', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
        { name: 'attention_mask', isTensor: true, type: 'int64', shape: ['batch', 'seq'] },
        { name: 'x', isTensor: true, type: 'float32', shape: ['batch', 4] },
      ],
      { dims: { batch: 2, seq: 64 }, seed: 5 },
      { input_ids: vocab },
    );
    expect(companion.map((c) => c.data)).toEqual(browser.map((b) => b.data));
    expect(Array.from(browser[0].data as BigInt64Array, Number).every((v) => v < vocab)).toBe(true);
  });

  it('says which dim is missing', () => {
    expect(() => buildInputs(metas, { dims: { batch: 1 } })).toThrow(/symbolic dim 'seq'.*given: batch/);
    expect(() => buildInputs([{ name: 'x', isTensor: true, type: 'float32', shape: [''] }], {})).toThrow(InputError);
  });

  it('takes given inputs and checks them', () => {
    const xs = buildInputs(metas.slice(0, 1), { inputs: { input_ids: { type: 'int64', dims: [1, 3], values: [5, 6, 7] } } });
    expect(Array.from(xs[0].data as BigInt64Array)).toEqual([5n, 6n, 7n]);
    expect(() => buildInputs(metas.slice(0, 1), { inputs: { input_ids: { type: 'int32', dims: [1], values: [1] } } })).toThrow(
      /int64 in the model but int32/,
    );
    expect(() => buildInputs(metas.slice(0, 1), { inputs: { nope: { type: 'int64', dims: [1], values: [1] } } })).toThrow(
      /no input 'nope'/,
    );
  });
});

describe('protocol helpers', () => {
  it('frames a job body and reads it back', () => {
    const model = Uint8Array.of(1, 2, 3);
    const { params, model: m } = decodeJobBody(encodeJobBody({ runs: 3 }, model));
    expect(params).toEqual({ runs: 3 });
    expect(Array.from(m)).toEqual([1, 2, 3]);
  });

  it('round-trips half floats', () => {
    for (const v of [0, 1, -2, 0.1, 65504, 1e-7, 3.14159]) expect(fromHalfBits(toHalfBits(v))).toBeCloseTo(v, 2);
    expect(fromHalfBits(toHalfBits(1e6))).toBe(Infinity);
    const t = decodeTensor({ type: 'float16', dims: [2], values: [1, -0.5] }) as Uint16Array;
    expect(Array.from(t, (b) => fromHalfBits(b))).toEqual([1, -0.5]);
  });

  it('parses the printed URL', () => {
    expect(parseCompanionUrl('http://127.0.0.1:8765/?token=abc')).toEqual({ baseUrl: 'http://127.0.0.1:8765', token: 'abc' });
    expect(() => parseCompanionUrl('http://127.0.0.1:8765/')).toThrow(/no token/);
  });

  it('median and nearest-rank p90', () => {
    const s = latencyStats([5, 1, 4, 2, 3, 10, 6, 7, 8, 9]);
    expect(s.medianMs).toBe(5.5);
    expect(s.p90Ms).toBe(9);
    expect(s.minMs).toBe(1);
    expect(s.maxMs).toBe(10);
  });
});
