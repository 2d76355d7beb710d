// The engine end to end on small hand-built graphs: where Casts go, what the rewrite produces, and the
// properties every output must have (unique names, topological order, consistent types, determinism).
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from './api';
import { convertModel, openModel, planModel, summarizeModel } from './engine';
import { buildIr } from './ir';
import { CastawayError } from './errors';
import { DataType, type GraphProto, type ModelProto, type NodeProto } from './onnx/proto-types';
import { decodeModel, encodeModel } from './serde';
import { attr, buildGraph, buildModel, floatTensor, node, valueInfo } from './testing/build-model';
import { tensorBytes, writeExternalData } from './external-data';
import { float16BitsToFloat32 } from './tensor/half';

const F = DataType.FLOAT;
const H = DataType.FLOAT16;
const open = (model: ModelProto) => openModel(encodeModel(model));
const convert = (model: ModelProto, recipe = {}) => {
  const result = convertModel(open(model), recipe);
  return { ...result, model: decodeModel(result.bytes) };
};
const casts = (g: GraphProto) => (g.node ?? []).filter((n) => n.opType === 'Cast');
const castTo = (n: NodeProto) => Number(n.attribute?.find((a) => a.name === 'to')?.i ?? 0);
const typeOf = (g: GraphProto, name: string) => [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])].find((v) => v.name === name)?.type?.tensorType?.elemType;

/** Every output must be sorted, uniquely named, and consistent with the engine's own reading of it. */
function expectWellFormed(model: ModelProto) {
  const graph = model.graph!;
  const names = (graph.node ?? []).map((n) => n.name).filter(Boolean);
  expect(new Set(names).size).toBe(names.length);
  const ir = buildIr(model); // throws on dangling inputs and cycles
  expect(ir.main.originalIndex).toEqual(ir.main.originalIndex.map((_, i) => i)); // already in topological order
}

// x -> MatMul(w) -> Softmax -> MatMul(w2) -> y : a chain with one op in the middle.
function chain(): ModelProto {
  return buildModel({
    opset: 17,
    inputs: [valueInfo('x', F, ['batch', 4])],
    outputs: [valueInfo('y', F, ['batch', 4])],
    initializers: [floatTensor('w', [4, 4], new Array(16).fill(0.5)), floatTensor('w2', [4, 4], new Array(16).fill(0.25))],
    nodes: [
      node('MatMul', ['x', 'w'], ['a'], { name: 'mm1' }),
      node('Softmax', ['a'], ['s'], { name: 'softmax', attributes: [attr.int('axis', -1)] }),
      node('MatMul', ['s', 'w2'], ['y'], { name: 'mm2' }),
    ],
  });
}

describe('convertModel', () => {
  it('converts a whole graph to fp16 with no Casts when nothing is blocked', () => {
    const { model, report } = convert(chain());
    expect(casts(model.graph!)).toHaveLength(0);
    expect(report.castCount).toBe(0);
    expect(typeOf(model.graph!, 'x')).toBe(H);
    expect(typeOf(model.graph!, 'y')).toBe(H);
    expect(model.graph!.initializer!.every((t) => t.dataType === H)).toBe(true);
    expectWellFormed(model);
  });

  it('writes external data for a model that had some, also when the rewrite converted every external tensor', () => {
    const { model: written, data } = writeExternalData(chain(), 'w.bin', 0);
    const opened = () => openModel(encodeModel(written), new Map([['w.bin', data]]));
    const all = convertModel(opened(), {}); // both weights go fp16: no external tensor is left in the model
    expect(Object.keys(all.externalFiles)).toEqual(['model.onnx.data']); // (empty: fp16 weights under 1 KB stay inline)
    expect(decodeModel(all.bytes).graph!.initializer!.every((t) => t.dataType === H)).toBe(true);
    // and with none converted (everything blocked) the tensors are still external ones
    const none = convertModel(opened(), { opBlockList: ['MatMul', 'Softmax'] });
    expect(Object.keys(none.externalFiles)).toEqual(['model.onnx.data']);
    // a model that had none stays inline
    expect(Object.keys(convertModel(open(chain()), {}).externalFiles)).toEqual([]);
  });

  it('keeps graph io fp32 with keepIoTypes: one Cast in, one out, the output name unchanged', () => {
    const { model, report } = convert(chain(), { keepIoTypes: true });
    const c = casts(model.graph!);
    expect(c).toHaveLength(2);
    expect(report.castCount).toBe(2);
    expect(typeOf(model.graph!, 'x')).toBe(F);
    expect(typeOf(model.graph!, 'y')).toBe(F);
    expect(c.map(castTo).sort()).toEqual([F, H]);
    expect(c.some((n) => n.output?.[0] === 'y')).toBe(true);
    expectWellFormed(model);
  });

  it('places exactly two Casts around one blocked op, and onnxruntime-style counting gives more', () => {
    const { model, report } = convert(chain(), { opBlockList: ['Softmax'] });
    expect(casts(model.graph!)).toHaveLength(2);
    const softmax = model.graph!.node!.find((n) => n.name === 'softmax')!;
    expect(typeOf(model.graph!, softmax.input![0]) ?? F).toBe(F);
    expect(report.boundaries.map((b) => b.to).sort()).toEqual(['fp32', 'low']);
    expectWellFormed(model);
  });

  it('puts free data-movement ops on the cheap side: a Reshape between blocked ops costs nothing extra', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [2, 2])],
      outputs: [valueInfo('y', F, [4])],
      initializers: [{ name: 'shape', dims: [1], dataType: DataType.INT64, rawData: new Uint8Array(new BigInt64Array([4n]).buffer) }],
      nodes: [
        node('Softmax', ['x'], ['s'], { name: 'sm' }),
        node('Reshape', ['s', 'shape'], ['r'], { name: 'reshape' }),
        node('Exp', ['r'], ['y'], { name: 'exp' }),
      ],
    });
    // Softmax and Exp both blocked: the Reshape between them stays fp32 and no Cast is needed anywhere.
    const blocked = convert(model, { opBlockList: ['Softmax', 'Exp'] });
    expect(casts(blocked.model.graph!)).toHaveLength(0);
    // onnxruntime's tool would put a Cast on every edge of both blocked ops.
    expect(blocked.report.ortReferenceCasts).toBeGreaterThan(0);
  });

  it('shares one Cast between all readers of a value', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('a', F, [4]), valueInfo('b', F, [4]), valueInfo('c', F, [4])],
      nodes: [
        node('Softmax', ['x'], ['s'], { name: 'sm' }),
        node('Exp', ['s'], ['a'], { name: 'e1' }),
        node('Sqrt', ['s'], ['b'], { name: 'e2' }),
        node('Tanh', ['s'], ['c'], { name: 'e3' }),
      ],
    });
    const { model: out, report } = convert(model, { opBlockList: ['Softmax'], keepIoTypes: false });
    // x -> (fp32) Softmax -> one Cast to fp16 shared by three readers; x itself stays fp32 (no Cast in).
    expect(casts(out.graph!)).toHaveLength(1);
    expect(report.castCount).toBe(1);
    expect(report.ortReferenceCasts).toBe(2); // its tool: Cast in and Cast out of the Softmax
  });

  it('retargets an existing Cast(to=float) inside an fp16 region instead of adding one', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('mask', DataType.INT64, [4]), valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4])],
      nodes: [node('Cast', ['mask'], ['m'], { name: 'cast', attributes: [attr.int('to', F)] }), node('Mul', ['x', 'm'], ['y'], { name: 'mul' })],
    });
    const { model: out } = convert(model);
    const c = casts(out.graph!);
    expect(c).toHaveLength(1);
    expect(castTo(c[0])).toBe(H);
  });

  it('drops an existing Cast that becomes an identity', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4])],
      nodes: [node('Relu', ['x'], ['r'], { name: 'relu' }), node('Cast', ['r'], ['c'], { name: 'noop', attributes: [attr.int('to', F)] }), node('Exp', ['c'], ['y'], { name: 'exp' })],
    });
    const { model: out, report } = convert(model);
    expect(casts(out.graph!)).toHaveLength(0);
    expect(report.castCount).toBe(0);
    expect(out.graph!.node!.find((n) => n.name === 'exp')!.input).toEqual(['r']);
    expectWellFormed(out);
  });

  it('drops a chain of identity Casts and rewires every reader, the Casts the plan adds after them included', () => {
    // r -> noop1 -> c1 -> noop2 -> c2; c2 is read by an fp16 Exp and by a blocked Softmax, so it needs a Cast
    // to fp32, placed after noop2, which is dropped: that Cast must read r, as Exp does.
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4]), valueInfo('s', F, [4])],
      nodes: [
        node('Relu', ['x'], ['r'], { name: 'relu' }),
        node('Cast', ['r'], ['c1'], { name: 'noop1', attributes: [attr.int('to', F)] }),
        node('Cast', ['c1'], ['c2'], { name: 'noop2', attributes: [attr.int('to', F)] }),
        node('Exp', ['c2'], ['y'], { name: 'exp' }),
        node('Softmax', ['c2'], ['s'], { name: 'softmax' }),
      ],
    });
    const { model: out, report } = convert(model, { opBlockList: ['Softmax'] });
    const names = (out.graph!.node ?? []).map((n) => n.name);
    expect(names).not.toContain('noop1');
    expect(names).not.toContain('noop2');
    expect(report.insertedCasts).toBe(1);
    const added = casts(out.graph!);
    expect(added).toHaveLength(1);
    expect(added[0].input).toEqual(['r']);
    expect(out.graph!.node!.find((n) => n.name === 'exp')!.input).toEqual(['r']);
    expectWellFormed(out);
  });

  it('stores a weight read in both precisions twice, clamping what exceeds fp16', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [2])],
      outputs: [valueInfo('a', F, [2]), valueInfo('b', F, [2])],
      initializers: [floatTensor('w', [2], [1e6, 0.5])],
      nodes: [node('Add', ['x', 'w'], ['a'], { name: 'add' }), node('Sub', ['x', 'w'], ['b'], { name: 'sub' })],
    });
    const { model: out, report } = convert(model, { opBlockList: ['Sub'] });
    const inits = out.graph!.initializer!;
    expect(inits.map((t) => t.dataType).sort()).toEqual([F, H]);
    const half = inits.find((t) => t.dataType === H)!;
    const bits = new Uint16Array(tensorBytes(half)!.slice().buffer);
    expect(Array.from(bits, float16BitsToFloat32)).toEqual([65504, 0.5]);
    expect(report.clampedValues).toBe(1);
    expectWellFormed(out);
  });

  it('keeps ops without a float16 kernel on the target EP in fp32', () => {
    // GridSample has no fp16 kernel on CUDA (float only), per onnxruntime's kernel table.
    const model = buildModel({
      opset: 16,
      inputs: [valueInfo('x', F, [1, 1, 4, 4]), valueInfo('grid', F, [1, 4, 4, 2])],
      outputs: [valueInfo('y', F, [1, 1, 4, 4])],
      nodes: [node('Relu', ['x'], ['r'], { name: 'relu' }), node('GridSample', ['r', 'grid'], ['g'], { name: 'gs' }), node('Sigmoid', ['g'], ['y'], { name: 'sig' })],
    });
    const cuda = planModel(open(model), { targetEp: 'cuda' });
    const any = planModel(open(model), { targetEp: 'any' });
    expect(cuda.nodePrecision[1]).toBe('fp32');
    expect(any.nodePrecision[1]).toBe('low');
  });

  it('counts cast bytes with symbolic dims bound from the recipe', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, ['n', 64])],
      outputs: [valueInfo('y', F, ['n', 64])],
      initializers: [floatTensor('w', [64, 64], new Array(4096).fill(0.01))],
      nodes: [node('MatMul', ['x', 'w'], ['y'], { name: 'mm' })],
    });
    const report = planModel(open(model), { objective: 'bytes', dims: { n: 128 }, keepIoTypes: true });
    expect(report.castCount).toBe(2);
    expect(report.castBytes).toBe(2 * 6 * 128 * 64);
  });

  it('plans If branches together with the outer graph', () => {
    const thenBranch = buildGraph({ name: 'then', outputs: [valueInfo('t', F, [4])], nodes: [node('Exp', ['a'], ['t'], { name: 'then_exp' })] });
    const elseBranch = buildGraph({ name: 'else', outputs: [valueInfo('e', F, [4])], nodes: [node('Softmax', ['a'], ['e'], { name: 'else_softmax' })] });
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [4]), valueInfo('c', DataType.BOOL, [])],
      outputs: [valueInfo('y', F, [4])],
      nodes: [
        node('Sqrt', ['x'], ['a'], { name: 'sqrt' }),
        node('If', ['c'], ['i'], { name: 'if', attributes: [attr.graph('then_branch', thenBranch), attr.graph('else_branch', elseBranch)] }),
        node('Tanh', ['i'], ['y'], { name: 'tanh' }),
      ],
    });
    const { model: out, report } = convert(model, { opBlockList: ['Softmax'] });
    expectWellFormed(out);
    const ifNode = out.graph!.node!.find((n) => n.name === 'if')!;
    const elseOut = ifNode.attribute!.find((a) => a.name === 'else_branch')!.g!;
    const thenOut = ifNode.attribute!.find((a) => a.name === 'then_branch')!.g!;
    // The If's output is a free group tied to both branch outputs: it goes fp16 with the Exp branch, the
    // blocked Softmax reads a fp32 copy of 'a' and its branch ends in one Cast. Two Casts, as many as
    // onnxruntime's tool (one before and one after the blocked Softmax), and both branches agree on the type.
    expect(typeOf(thenOut, 't')).toBe(DataType.FLOAT16);
    expect(thenOut.output![0].type!.tensorType!.elemType).toBe(elseOut.output![0].type!.tensorType!.elemType);
    expect(report.castCount).toBe(2);
    expect(report.castCount).toBeLessThanOrEqual(report.ortReferenceCasts);
  });

  it('is deterministic: the same model and recipe give identical bytes', () => {
    const a = convertModel(open(chain()), { opBlockList: ['Softmax'], keepIoTypes: true }).bytes;
    const b = convertModel(open(chain()), { opBlockList: ['Softmax'], keepIoTypes: true }).bytes;
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
  });

  it('refuses an unknown op of a standard domain with its name', () => {
    const model = buildModel({ opset: 17, inputs: [valueInfo('x', F)], outputs: [valueInfo('y', F)], nodes: [node('Frobnicate', ['x'], ['y'], { name: 'weird' })] });
    expect(() => open(model)).toThrow(CastawayError);
    expect(() => open(model)).toThrow(/Frobnicate.*weird|weird/);
  });

  it('keeps an op of an unknown custom domain fp32 with Casts at its border', () => {
    const model = buildModel({
      opset: { '': 17, 'com.example': 1 },
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4])],
      valueInfo: [valueInfo('c', F, [4])],
      nodes: [node('Exp', ['x'], ['e'], { name: 'exp' }), node('Custom', ['e'], ['c'], { name: 'custom', domain: 'com.example' }), node('Tanh', ['c'], ['y'], { name: 'tanh' })],
    });
    const { model: out, report } = convert(model);
    expect(report.nodePrecision[1]).toBe('fp32');
    expect(casts(out.graph!)).toHaveLength(2);
    expectWellFormed(out);
  });

  it('summarizes: weights-only and shape nodes foldable, attributes as text, fp32 reasons per node', () => {
    const model = buildModel({
      opset: 17,
      inputs: [valueInfo('x', F, [4])],
      outputs: [valueInfo('y', F, [4]), valueInfo('n', DataType.INT64, [1])],
      initializers: [floatTensor('w', [4], [1, 2, 3, 4])],
      nodes: [
        node('Identity', ['w'], ['wi'], { name: 'weight_identity' }),
        node('Shape', ['x'], ['n'], { name: 'shape' }),
        node('Softmax', ['x'], ['s'], { name: 'softmax', attributes: [attr.int('axis', -1)] }),
        node('Add', ['s', 'wi'], ['y'], { name: 'add' }),
      ],
    });
    const engine = open(model);
    const summary = summarizeModel(engine);
    const byName = Object.fromEntries(summary.nodes.map((n) => [n.name, n]));
    expect(byName.weight_identity.foldable).toBe(true);
    expect(byName.shape.foldable).toBe(true);
    expect(byName.softmax.foldable).toBe(false);
    expect(byName.softmax.attributes).toEqual({ axis: '-1' });
    const report = planModel(engine, { opBlockList: ['Softmax'] });
    expect(report.nodeReasons[byName.softmax.index]).toBe('op-block-list');
    expect(report.nodeReasons[byName.add.index]).toBeUndefined();
  });

  it('recipe errors are typed', () => {
    expect(() => planModel(open(chain()), { patterns: ['re:('] } as never)).toThrow(/regular expression/);
    expect(() => planModel(open(chain()), { targetEp: 'tpu' } as never)).toThrow(CastawayError);
  });
});

