// Element types kept by the IR's value ids (value-types.ts; infer.ts with GraphValueIds): the by-name answers,
// the Map view's entries and their order, and the planner's by-id table must be what inference by name gives.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildIr } from '../ir';
import { DataType, type GraphProto } from '../onnx/proto-types';
import { createTypeOracle } from '../plan/type-oracle';
import { decodeModel } from '../serde';
import { inferElementTypes } from './infer';
import { inferModelTypes } from './model-types';
import { ValueTypes } from './value-types';

const fixtureDir = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
// the 44k-node model is covered by fixtures.test.ts's counts; these are the quick ones
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.onnx') && !f.includes('deep')).sort();

describe('ValueTypes', () => {
  it('answers by name through ids, keeps names without an id in a Map, and iterates in first-set order', () => {
    const types = new ValueTypes(new Map([['a', 0], ['b', 1], ['c', 2]]));
    types.set('c', 7);
    types.set('x', 10); // no id
    types.setAt(0, 'a', 1);
    types.set('c', 9); // set again: keeps its place
    expect(types.get('a')).toBe(1);
    expect(types.get('b')).toBeUndefined();
    expect(types.has('b')).toBe(false);
    expect(types.get('x')).toBe(10);
    expect(types.getAt(2, 'c')).toBe(9);
    expect([...types.byId!]).toEqual([1, 0, 9]);
    expect([...types]).toEqual([['c', 9], ['a', 1], ['x', 10]]);
    expect(types.size).toBe(3);
  });
});

describe('inference of the main graph by value id', () => {
  it.each(fixtures)('%s: the same types as inference by name, the Map view in the same order, the oracle reads the id table', (file) => {
    const ir = buildIr(decodeModel(new Uint8Array(readFileSync(fixtureDir + file))));
    const byName = inferElementTypes(ir.main.proto, ir.opsets);
    const types = inferModelTypes(ir);
    expect([...types.result.main]).toEqual([...byName.main]);
    expect(types.result.disagreements).toEqual(byName.disagreements);
    expect(types.result.untyped).toEqual(byName.untyped);
    const expected = ir.main.valueNames.map((name) => byName.main.get(name) ?? 0);
    expect([...types.mainTypesById]).toEqual(expected);
    for (const name of ir.main.valueNames) expect(types.elemType(ir.main, name)).toBe(byName.main.get(name));
    expect([...createTypeOracle(ir).elemTypesById(ir.main)]).toEqual(expected);
  });
});

describe('GraphValueIds', () => {
  // x: float, y: int64; Relu(x) -> z. The caller's ids say which value each slot reads, and inference believes them.
  const graph: GraphProto = {
    input: [
      { name: 'x', type: { tensorType: { elemType: DataType.FLOAT } } },
      { name: 'y', type: { tensorType: { elemType: DataType.INT64 } } },
    ],
    node: [{ opType: 'Relu', input: ['x'], output: ['z'] }],
  };
  const valueId = new Map([['x', 0], ['y', 1], ['z', 2]]);
  const ids = (inputId: number) => ({ valueId, order: [0], outputIds: Int32Array.of(2), outputStart: Int32Array.of(0, 1), inputIds: Int32Array.of(inputId), inputStart: Int32Array.of(0, 1) });

  it('types a node from the values its input slot ids name, and its outputs into their ids', () => {
    const opsets = new Map([['', 14]]);
    const asGiven = inferElementTypes(graph, opsets, undefined, undefined, ids(0)).main as ValueTypes;
    expect(asGiven.get('z')).toBe(DataType.FLOAT);
    expect([...asGiven.byId!]).toEqual([DataType.FLOAT, DataType.INT64, DataType.FLOAT]);
    // the slot id, not the name, decides: pointed at y, Relu's output takes y's type
    expect(inferElementTypes(graph, opsets, undefined, undefined, ids(1)).main.get('z')).toBe(DataType.INT64);
    // -1 (a value of an enclosing scope): by name
    expect(inferElementTypes(graph, opsets, undefined, undefined, ids(-1)).main.get('z')).toBe(DataType.FLOAT);
  });
});
