// Tiny ONNX models written byte by byte (a minimal protobuf writer), so the companion needs no ONNX library
// to probe the CUDA EP, and tests can build the models they need (a MatMul, a runaway Loop).

import { concatBytes } from '../../core/index';

type Field = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

const enc = new TextEncoder();
const vi = (field: number, n: number | bigint): Field => Uint8Array.from([...varint((field << 3) | 0), ...varint(n)]);
const ld = (field: number, body: Uint8Array): Field => concatBytes([varint((field << 3) | 2), varint(body.length), body]);
const str = (field: number, s: string): Field => ld(field, enc.encode(s));
const msg = (...fields: Field[]): Uint8Array => concatBytes(fields);

const ELEM = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, double: 11 } as const;

type Dim = number | string;

function valueInfo(name: string, elemType: number, shape: Dim[]): Uint8Array {
  const dims = shape.map((d) => ld(1, typeof d === 'number' ? vi(1, d) : str(2, d)));
  const tensorType = msg(vi(1, elemType), ld(2, msg(...dims)));
  return msg(str(1, name), ld(2, msg(ld(1, tensorType))));
}

function tensor(name: string, elemType: number, dims: number[], raw: Uint8Array): Uint8Array {
  return msg(...dims.map((d) => vi(1, d)), vi(2, elemType), str(8, name), ld(9, raw));
}

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Uint8Array[];
}

function node(n: NodeSpec): Uint8Array {
  return msg(
    ...n.inputs.map((s) => str(1, s)),
    ...n.outputs.map((s) => str(2, s)),
    str(3, n.name ?? `${n.op}_${n.outputs[0]}`),
    str(4, n.op),
    ...(n.attrs ?? []).map((a) => ld(5, a)),
  );
}

function graphAttr(name: string, g: Uint8Array): Uint8Array {
  return msg(str(1, name), ld(6, g), vi(20, 5));
}

interface GraphSpec {
  name: string;
  nodes: Uint8Array[];
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  initializers?: Uint8Array[];
}

function graph(g: GraphSpec): Uint8Array {
  return msg(
    ...g.nodes.map((n) => ld(1, n)),
    str(2, g.name),
    ...(g.initializers ?? []).map((t) => ld(5, t)),
    ...g.inputs.map((v) => ld(11, v)),
    ...g.outputs.map((v) => ld(12, v)),
  );
}

function model(g: Uint8Array, opset = 13, irVersion = 8): Uint8Array {
  return msg(vi(1, irVersion), str(2, 'castaway'), ld(7, g), ld(8, msg(str(1, ''), vi(2, opset))));
}

function f32bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** y = Identity(x), x: float32 [n]. Used to probe whether the CUDA EP loads. */
export function tinyIdentityModel(): Uint8Array {
  return model(
    graph({
      name: 'probe',
      nodes: [node({ op: 'Identity', inputs: ['x'], outputs: ['y'] })],
      inputs: [valueInfo('x', ELEM.float, ['n'])],
      outputs: [valueInfo('y', ELEM.float, ['n'])],
    }),
  );
}

/** y = x @ W + b with x: float32 [batch, k], W: [k, m] (seeded), b: [m]. */
export function matmulModel(k = 4, m = 3): Uint8Array {
  const w = Array.from({ length: k * m }, (_, i) => ((i * 7919) % 13) / 13 - 0.5);
  const b = Array.from({ length: m }, (_, i) => i / 10);
  return model(
    graph({
      name: 'matmul',
      nodes: [
        node({ op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] }),
        node({ op: 'Add', inputs: ['xw', 'b'], outputs: ['y'] }),
      ],
      inputs: [valueInfo('x', ELEM.float, ['batch', k])],
      outputs: [valueInfo('y', ELEM.float, ['batch', m])],
      initializers: [tensor('W', ELEM.float, [k, m], f32bytes(w)), tensor('b', ELEM.float, [m], f32bytes(b))],
    }),
  );
}

/**
 * A Loop of `trips` iterations (default 10^15: it never ends in practice) over y = y + x. Input x: float32
 * [n]. For timeout tests.
 */
export function runawayLoopModel(trips: bigint = 10n ** 15n): Uint8Array {
  const body = graph({
    name: 'body',
    nodes: [
      node({ op: 'Identity', inputs: ['cond_in'], outputs: ['cond_out'] }),
      node({ op: 'Add', inputs: ['v_in', 'x'], outputs: ['v_out'] }),
    ],
    inputs: [valueInfo('iter', ELEM.int64, []), valueInfo('cond_in', ELEM.bool, []), valueInfo('v_in', ELEM.float, ['n'])],
    outputs: [valueInfo('cond_out', ELEM.bool, []), valueInfo('v_out', ELEM.float, ['n'])],
  });
  const m = new Uint8Array(new BigInt64Array([trips]).buffer);
  return model(
    graph({
      name: 'runaway',
      nodes: [node({ op: 'Loop', inputs: ['M', 'cond', 'x'], outputs: ['y'], attrs: [graphAttr('body', body)] })],
      inputs: [valueInfo('x', ELEM.float, ['n'])],
      outputs: [valueInfo('y', ELEM.float, ['n'])],
      initializers: [tensor('M', ELEM.int64, [], m), tensor('cond', ELEM.bool, [], Uint8Array.of(1))],
    }),
  );
}

/**
 * y = Identity(w), w: uint8 [n] whose bytes live in an external data file `location` (relative to wherever
 * onnxruntime resolves it). The file-leak probe of issue 10: with location=package.json, a companion that
 * lets onnxruntime resolve it against its working directory answers with that file's bytes.
 */
export function externalDataLeakModel(location = 'package.json', n = 64): Uint8Array {
  const entry = (k: string, v: string) => msg(str(1, k), str(2, v));
  const w = msg(vi(1, n), vi(2, ELEM.uint8), str(8, 'w'), ld(13, entry('location', location)), vi(14, 1));
  return model(
    graph({
      name: 'leak',
      nodes: [node({ op: 'Identity', inputs: ['w'], outputs: ['y'] })],
      inputs: [],
      outputs: [valueInfo('y', ELEM.uint8, [n])],
      initializers: [w],
    }),
  );
}
