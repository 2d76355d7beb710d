// Small random models with an If or a Loop between two stretches of main-graph nodes, for the planner's
// brute-force tests and the checker/onnxruntime runs: bodies read outer values and return Constants,
// carried inputs and their own results, and random block lists fall inside and outside the bodies.
import { DEFAULT_RECIPE, type Recipe } from '../api';
import { seededRandom } from '../tensor/seeded-inputs';
import { DataType, type ModelProto, type NodeProto } from '../onnx/proto-types';
import { buildModel, constant, floatTensor, ifNode, int64Tensor, loopNode, node, valueInfo } from './build-model';

const UNARY = ['Relu', 'Exp', 'Tanh', 'Sigmoid', 'Neg', 'Identity', 'Softmax'];
const BINARY = ['Add', 'Mul', 'Sub', 'Max'];
const F = DataType.FLOAT;

export interface RandomCase {
  model: ModelProto;
  recipe: Recipe;
  kind: 'If' | 'Loop';
}

export function randomControlFlowModel(seed: number): RandomCase {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}${counter++}`;
  /** Appends 1..max random float nodes reading `visible` (extended in place); returns the new values. */
  const stretch = (nodes: NodeProto[], visible: string[], max: number, prefix: string, min = 1): string[] => {
    const made: string[] = [];
    const count = Math.max(min, 1 + Math.floor(random() * max));
    for (let i = 0; i < count; i++) {
      const out = fresh(prefix);
      const name = `n_${out}`;
      if (random() < 0.5) nodes.push(node(pick(UNARY), [pick(visible)], [out], { name }));
      else nodes.push(node(pick(BINARY), [pick(visible), pick(visible)], [out], { name }));
      visible.push(out);
      made.push(out);
    }
    return made;
  };

  const visible = ['x', 'y'];
  const nodes: NodeProto[] = [];
  stretch(nodes, visible, 3, 'a');
  const outerBefore = [...visible];
  const kind = random() < 0.5 ? 'If' : 'Loop';
  const cfOutputs: string[] = [];
  let scanCount = 0;
  if (kind === 'If') {
    const outCount = 1 + Math.floor(random() * 2);
    for (let k = 0; k < outCount; k++) cfOutputs.push(fresh('i'));
    const branch = (tag: string) => {
      const bodyNodes: NodeProto[] = [];
      const seen = [...outerBefore];
      const local: string[] = [];
      if (random() < 0.4) {
        const k = fresh(`k${tag}`);
        bodyNodes.push(constant(k, floatTensor(k, [2], [0.5, -0.25])));
        seen.push(k);
        local.push(k);
      }
      const own = stretch(bodyNodes, seen, 3, tag, cfOutputs.length);
      // Mostly the branch's own results, sometimes its Constant returned as is, each at most once. Never an
      // outer value directly: onnxruntime refuses a subgraph output that is an outer-scope value. (An If
      // returning one fp16 value twice also trips onnxruntime 1.30's CPU optimizer: wrong values at 'basic'.)
      const pool = [...own];
      const outs = cfOutputs.map(() => {
        if (local.length && random() < 0.25) return local.pop()!;
        return pool.splice(Math.floor(random() * pool.length), 1)[0];
      });
      return { nodes: bodyNodes, outputs: outs.map((o) => valueInfo(o, F, [2])) };
    };
    nodes.push(ifNode('c', cfOutputs, branch('t'), branch('e'), { name: 'if' }));
  } else {
    const carried = 1 + Math.floor(random() * 2);
    const initial = Array.from({ length: carried }, () => pick(outerBefore));
    const bodyIn = initial.map(() => fresh('s'));
    const bodyNodes: NodeProto[] = [node('Identity', ['cond_in'], ['cond_out'], { name: 'loop_cond' })];
    const seen = [...outerBefore, ...bodyIn];
    const own = stretch(bodyNodes, seen, 3, 'b');
    const nextCarried = bodyIn.map((s) => (random() < 0.8 ? pick(own) : s));
    const scan = random() < 0.3 ? [pick(own)] : [];
    scanCount = scan.length;
    for (let k = 0; k < carried + scan.length; k++) cfOutputs.push(fresh('l'));
    nodes.push(
      loopNode(['m', '', ...initial], cfOutputs, {
        inputs: [valueInfo('iter', DataType.INT64, []), valueInfo('cond_in', DataType.BOOL, []), ...bodyIn.map((s) => valueInfo(s, F, [2]))],
        outputs: [valueInfo('cond_out', DataType.BOOL, []), ...[...nextCarried, ...scan].map((o) => valueInfo(o, F, [2]))],
        nodes: bodyNodes,
      }, { name: 'loop' }),
    );
  }
  // Scan outputs stack one slice per iteration ([trip count, 2]): graph outputs only, never read.
  const carriedOut = cfOutputs.slice(0, cfOutputs.length - scanCount);
  const scanOut = cfOutputs.slice(cfOutputs.length - scanCount);
  const after = [...visible, ...carriedOut];
  stretch(nodes, after, 3, 'z');
  const last = after[after.length - 1];
  const outputs = [...new Set([last, pick(after.slice(2))])];
  const initializers = kind === 'Loop' ? [int64Tensor('m', [], [2])] : [];
  const model = buildModel({
    opset: 17,
    inputs: [valueInfo('x', F, [2]), valueInfo('y', F, [2]), ...(kind === 'If' ? [valueInfo('c', DataType.BOOL, [])] : [])],
    outputs: [...outputs.map((o) => valueInfo(o, F, [2])), ...scanOut.map((o) => valueInfo(o, F, [2, 2]))],
    initializers,
    nodes,
  });
  const ops = [...new Set(collectOps(nodes))];
  const blocked = ops.filter((op) => op !== 'If' && op !== 'Loop' && op !== 'Constant' && random() < 0.3);
  const names = collectNames(nodes).filter(() => random() < 0.15);
  return { model, kind, recipe: { ...DEFAULT_RECIPE, opBlockList: blocked, nodeBlockList: names, keepIoTypes: random() < 0.4 } };
}

function collectOps(nodes: NodeProto[]): string[] {
  return nodes.flatMap((n) => [n.opType ?? '', ...(n.attribute ?? []).flatMap((a) => (a.g ? collectOps(a.g.node ?? []) : []))]);
}

function collectNames(nodes: NodeProto[]): string[] {
  return nodes.flatMap((n) => [...(n.opType === 'If' || n.opType === 'Loop' || n.opType === 'Constant' ? [] : [n.name ?? '']), ...(n.attribute ?? []).flatMap((a) => (a.g ? collectNames(a.g.node ?? []) : []))]);
}
