// Small ModelProto builders for tests: graphs written in code instead of fixture files.
//   const model = buildModel({
//     inputs: [valueInfo('x', DataType.FLOAT, ['batch', 4])],
//     outputs: [valueInfo('y', DataType.FLOAT, ['batch', 4])],
//     initializers: [floatTensor('w', [4], [1, 2, 3, 4])],
//     nodes: [node('Add', ['x', 'w'], ['y'])],
//   });
import Long from 'long';
import { AttributeType, DataType, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx/proto-types';

export interface GraphSpec {
  name?: string;
  inputs?: ValueInfoProto[];
  outputs?: ValueInfoProto[];
  nodes?: NodeProto[];
  initializers?: TensorProto[];
  valueInfo?: ValueInfoProto[];
}

export interface ModelSpec extends GraphSpec {
  /** Opset of the default domain (17 by default), or versions by domain ('' is the default domain). */
  opset?: number | Record<string, number>;
  irVersion?: number;
}

export function buildModel(spec: ModelSpec): ModelProto {
  const opsets = typeof spec.opset === 'object' ? spec.opset : { '': spec.opset ?? 17 };
  return {
    irVersion: Long.fromNumber(spec.irVersion ?? 8),
    producerName: 'castaway-test',
    graph: buildGraph(spec),
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version: Long.fromNumber(version) })),
  };
}

/** Unnamed nodes get `${opType}_${index}`, so every node has a unique name. */
export function buildGraph(spec: GraphSpec): GraphProto {
  const graph: GraphProto = {
    node: (spec.nodes ?? []).map((n, i) => (n.name ? n : { ...n, name: `${n.opType}_${i}` })),
    name: spec.name ?? 'main',
  };
  if (spec.initializers?.length) graph.initializer = spec.initializers;
  graph.input = spec.inputs ?? [];
  graph.output = spec.outputs ?? [];
  if (spec.valueInfo?.length) graph.valueInfo = spec.valueInfo;
  return graph;
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  options: { name?: string; domain?: string; attributes?: AttributeProto[] } = {},
): NodeProto {
  const n: NodeProto = { input: inputs, output: outputs, opType };
  if (options.name) n.name = options.name;
  if (options.domain) n.domain = options.domain;
  if (options.attributes?.length) n.attribute = options.attributes;
  return n;
}

/** A tensor value: numbers are fixed dims, strings symbolic ones; no shape at all when `shape` is undefined. */
export function valueInfo(name: string, elemType: number, shape?: (number | string)[]): ValueInfoProto {
  const tensorType: NonNullable<NonNullable<ValueInfoProto['type']>['tensorType']> = { elemType };
  if (shape) {
    tensorType.shape = {
      dim: shape.map((d) => (typeof d === 'number' ? { dimValue: Long.fromNumber(d) } : { dimParam: d })),
    };
  }
  return { name, type: { tensorType } };
}

/** A tensor from its raw little-endian bytes. */
function rawTensor(name: string, dataType: number, dims: number[], rawData: Uint8Array): TensorProto {
  return { dims: dims.map((d) => Long.fromNumber(d)), dataType, name, rawData };
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  return rawTensor(name, DataType.FLOAT, dims, pack(values.length, 4, (v, p, i) => v.setFloat32(p, values[i], true)));
}

export function int64Tensor(name: string, dims: number[], values: ArrayLike<number | bigint>): TensorProto {
  return rawTensor(name, DataType.INT64, dims, pack(values.length, 8, (v, p, i) => v.setBigInt64(p, BigInt(values[i]), true)));
}

/** float16 values given as their 16-bit patterns. */
export function float16Tensor(name: string, dims: number[], bits: ArrayLike<number>): TensorProto {
  return rawTensor(name, DataType.FLOAT16, dims, pack(bits.length, 2, (v, p, i) => v.setUint16(p, bits[i], true)));
}

function pack(count: number, width: number, set: (view: DataView, offset: number, index: number) => void): Uint8Array {
  const out = new Uint8Array(count * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) set(view, i * width, i);
  return out;
}

export const attr = {
  float: (name: string, f: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f }),
  int: (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i: Long.fromNumber(i) }),
  string: (name: string, s: string): AttributeProto => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(s) }),
  tensor: (name: string, t: TensorProto): AttributeProto => ({ name, type: AttributeType.TENSOR, t }),
  graph: (name: string, g: GraphProto): AttributeProto => ({ name, type: AttributeType.GRAPH, g }),
  floats: (name: string, floats: number[]): AttributeProto => ({ name, type: AttributeType.FLOATS, floats }),
  ints: (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: ints.map((i) => Long.fromNumber(i)) }),
  strings: (name: string, strings: string[]): AttributeProto =>
    ({ name, type: AttributeType.STRINGS, strings: strings.map((s) => new TextEncoder().encode(s)) }),
};

/** A Constant node whose `value` is the given tensor (named after the output). */
export function constant(output: string, value: TensorProto): NodeProto {
  return node('Constant', [], [output], { attributes: [attr.tensor('value', { ...value, name: output })] });
}

/** An If node: `outputs` take branch output k of whichever branch runs. */
export function ifNode(cond: string, outputs: string[], thenBranch: GraphSpec, elseBranch: GraphSpec, options: { name?: string } = {}): NodeProto {
  return node('If', [cond], outputs, {
    ...options,
    attributes: [attr.graph('then_branch', buildGraph({ name: 'then', ...thenBranch })), attr.graph('else_branch', buildGraph({ name: 'else', ...elseBranch }))],
  });
}

/**
 * A Loop node: inputs are [trip count M, cond, ...carried initial values] (M or cond may be ''), outputs
 * [...carried final values, ...scan outputs]; the body takes (iteration, cond, ...carried) and returns
 * (cond, ...carried, ...scan outputs).
 */
export function loopNode(inputs: string[], outputs: string[], body: GraphSpec, options: { name?: string } = {}): NodeProto {
  return node('Loop', inputs, outputs, { ...options, attributes: [attr.graph('body', buildGraph({ name: 'body', ...body }))] });
}
