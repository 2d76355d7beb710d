// The encoder copies a decoded NodeProto's source bytes instead of encoding it field by field (verbatim.ts)
// only when they are exactly what it would write: these check both sides, on hand-made bytes that a
// protobuf writer may produce but the encoder writes differently, and on every fixture.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ModelProto, NodeProto } from '../onnx/proto-types';
import { decodeModel, encodeMessage, encodeModel } from './index';
import { sourceOf } from './verbatim';

const utf8 = (s: string) => [...new TextEncoder().encode(s)];
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}
const key = (id: number, wire: number) => varint(id * 8 + wire);
const lenField = (id: number, payload: number[]) => [...key(id, 2), ...varint(payload.length), ...payload];
const str = (id: number, s: string) => lenField(id, utf8(s));

// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5. AttributeProto: name 1, f 2, i 3, ints 8, type 20.
const relu = [...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Relu')];
const attrI = (payload: number[]) => lenField(5, [...str(1, 'axis'), ...payload, ...key(20, 0), 2]);

/** Node bytes that decode fine but that the encoder would write otherwise, by what is irregular. */
const IRREGULAR: [string, number[]][] = [
  ['fields out of field-number order', [...str(4, 'Relu'), ...str(1, 'x'), ...str(2, 'y')]],
  ['a singular field twice (the last wins)', [...relu, ...str(3, 'a'), ...str(3, 'b')]],
  ['a repeated field in two runs', [...str(1, 'x'), ...str(2, 'y'), ...str(1, 'z'), ...str(4, 'Add')]],
  ['a length prefix longer than needed', [...key(1, 2), 0x81, 0x00, ...utf8('x'), ...str(2, 'y'), ...str(4, 'Relu')]],
  ['an unknown field (written after the known ones)', [...key(99, 0), 1, ...relu]],
  ['an int64 in a longer varint than needed', [...relu, ...attrI([...key(3, 0), 0x81, 0x80, 0x00])]],
  ['a NaN float with a payload', [...relu, ...lenField(5, [...str(1, 'alpha'), ...key(2, 5), 0x01, 0x00, 0x80, 0x7f, ...key(20, 0), 1])]],
  ['a packed run of a field the schema does not pack', [...relu, ...lenField(5, [...str(1, 'perm'), ...lenField(8, [1, 0, 2]), ...key(20, 0), 7])]],
  ['an empty packed run', [...relu, ...lenField(5, [...str(1, 'perm'), ...lenField(8, []), ...key(20, 0), 7])]],
  ['a negative enum in 5 bytes, not 10', [...relu, ...lenField(5, [...str(1, 'axis'), ...key(3, 0), 1, ...key(20, 0), 0xff, 0xff, 0xff, 0xff, 0x0f])]],
  ['an enum beyond 32 bits', [...relu, ...lenField(5, [...str(1, 'axis'), ...key(3, 0), 1, ...key(20, 0), 0x82, 0x80, 0x80, 0x80, 0x10])]],
  ['a name that is not UTF-8', [...str(1, 'x'), ...str(2, 'y'), ...lenField(3, [0x61, 0xff]), ...str(4, 'Relu')]],
];

/** A model whose main graph holds these nodes (their bytes as given), reading x and writing every output. */
function modelBytes(nodes: number[][]): Uint8Array {
  const graph = [
    ...nodes.flatMap((n) => lenField(1, n)),
    ...str(2, 'g'),
    ...lenField(11, str(1, 'x')),
    ...lenField(12, str(1, 'y')),
  ];
  // ir_version 8, graph, opset_import { version 17 }
  return new Uint8Array([...key(1, 0), 8, ...lenField(7, graph), ...lenField(8, [...key(2, 0), 17])]);
}

/** The encoder's field-by-field output: a copy of a node carries no source. */
const generic = (model: ModelProto) => Buffer.from(encodeModel({ ...model, graph: { ...model.graph, node: model.graph!.node!.map((n) => ({ ...n })) } }));

/** What the engine and the CLI ask for: nodes keep their bytes (decodeModel). */
const KEEP = { keepNodeBytes: true } as const;

describe('verbatim node bytes', () => {
  it('are off by default: a decoded node changed in place is encoded with its change', () => {
    const model = decodeModel(modelBytes([relu]));
    const node = model.graph!.node![0];
    expect(sourceOf(node as never)).toBeUndefined();
    node.domain = 'com.microsoft';
    expect(decodeModel(encodeModel(model)).graph!.node![0].domain).toBe('com.microsoft');
  });

  it('keeps the source of a regular node, and re-encodes a model of them to its own bytes', () => {
    const bytes = modelBytes([relu, [...str(1, 'y'), ...str(2, 'z'), ...str(3, 'n'), ...str(4, 'Neg'), ...attrI([...key(3, 0), 1]), ...str(7, '')]]);
    const model = decodeModel(bytes, KEEP);
    for (const node of model.graph!.node!) expect(sourceOf(node as never)).toBeDefined();
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
    expect(generic(model).equals(Buffer.from(bytes))).toBe(true);
  });

  it.each(IRREGULAR)('keeps no source for %s, and encodes the node as the encoder writes it', (_, node) => {
    const model = decodeModel(modelBytes([node, relu]), KEEP);
    const [irregular, regular] = model.graph!.node!;
    expect(sourceOf(irregular as never)).toBeUndefined();
    expect(sourceOf(regular as never)).toBeDefined();
    const encoded = Buffer.from(encodeModel(model));
    expect(encoded.equals(generic(model))).toBe(true);
    expect(Buffer.from(encodeMessage('NodeProto', irregular)).equals(Buffer.from(node))).toBe(false);
  });

  it('encodes a changed copy of a decoded node as the copy, not as its source', () => {
    const model = decodeModel(modelBytes([relu]), KEEP);
    const node = model.graph!.node![0];
    const copy: NodeProto = { ...node, input: ['w'] };
    expect(sourceOf(copy as never)).toBeUndefined();
    expect(Buffer.from(encodeMessage('NodeProto', copy)).equals(Buffer.from([...str(1, 'w'), ...str(2, 'y'), ...str(4, 'Relu')]))).toBe(true);
  });

  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const fixtures = ['fixtures/models', 'fixtures/subgraphs', 'fixtures/app'].flatMap((dir) =>
    readdirSync(root + dir).filter((f) => f.endsWith('.onnx') && !f.startsWith('gpt2-deep200')).map((f) => `${dir}/${f}`));
  it.each(fixtures)('encodes %s to the same bytes with and without the sources', (file) => {
    const model = decodeModel(new Uint8Array(readFileSync(root + file)), KEEP);
    expect(Buffer.from(encodeModel(model)).equals(generic(model))).toBe(true);
  });
});
