// BERT-like graphs as PyTorch's TorchScript exporter writes them at opset 14, for tests of what
// onnxruntime does with Castaway's output: LayerNorm as ReduceMean, Sub, Pow(2), ReduceMean, Add(eps),
// Sqrt, Div, Mul(gamma), Add(beta) with BERT's layer_norm_eps 1e-12; residual Adds before the norms
// (SkipLayerNormalization material); Gelu as x * 0.5 * (1 + Erf(x / sqrt(2))); single-head attention with
// Softmax. Weights are deterministic (sines), so tests are reproducible.
import { DataType, type ModelProto, type NodeProto, type TensorProto } from '../onnx/proto-types';
import { attr, buildModel, constant, floatTensor, node, valueInfo } from './build-model';

export interface TorchGraphOptions {
  hidden?: number;
  /** layer_norm_eps (1e-12 in BERT). */
  epsilon?: number;
  /** Scalars (eps, 2, 0.5, ...) as Constant nodes (TorchScript) instead of initializers. */
  constants?: boolean;
}

/** Collects nodes and initializers and writes the exporter's patterns. */
export class TorchGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly hidden: number;
  private seed = 1;

  constructor(private readonly options: TorchGraphOptions = {}) {
    this.hidden = options.hidden ?? 16;
  }

  weight(name: string, dims: number[], scale = 0.3): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const s = this.seed++;
    this.initializers.push(floatTensor(name, dims, Array.from({ length: count }, (_, i) => scale * Math.sin(s * 7.13 + i * 0.917))));
    return name;
  }

  scalar(name: string, value: number): string {
    if (this.options.constants) this.nodes.push(constant(name, floatTensor(name, [], [value])));
    else this.initializers.push(floatTensor(name, [], [value]));
    return name;
  }

  layerNorm(x: string, p: string): string {
    const H = this.hidden;
    this.nodes.push(
      node('ReduceMean', [x], [`${p}_mean`], { name: `${p}/ReduceMean`, attributes: [attr.ints('axes', [-1])] }),
      node('Sub', [x, `${p}_mean`], [`${p}_d`], { name: `${p}/Sub` }),
      node('Pow', [`${p}_d`, this.scalar(`${p}_two`, 2)], [`${p}_sq`], { name: `${p}/Pow` }),
      node('ReduceMean', [`${p}_sq`], [`${p}_var`], { name: `${p}/ReduceMean_1`, attributes: [attr.ints('axes', [-1])] }),
      node('Add', [`${p}_var`, this.scalar(`${p}_eps`, this.options.epsilon ?? 1e-12)], [`${p}_ve`], { name: `${p}/Add` }),
      node('Sqrt', [`${p}_ve`], [`${p}_std`], { name: `${p}/Sqrt` }),
      node('Div', [`${p}_d`, `${p}_std`], [`${p}_n`], { name: `${p}/Div` }),
      node('Mul', [`${p}_n`, this.weight(`${p}_gamma`, [H], 1)], [`${p}_g`], { name: `${p}/Mul` }),
      node('Add', [`${p}_g`, this.weight(`${p}_beta`, [H], 0.1)], [`${p}_out`], { name: `${p}/Add_1` }),
    );
    return `${p}_out`;
  }

  matmul(x: string, p: string, n = this.hidden, k = this.hidden): string {
    this.nodes.push(node('MatMul', [x, this.weight(`${p}_w`, [k, n])], [`${p}_mm`], { name: `${p}/MatMul` }));
    return `${p}_mm`;
  }

  linear(x: string, p: string, n = this.hidden, k = this.hidden): string {
    const mm = this.matmul(x, p, n, k);
    this.nodes.push(node('Add', [mm, this.weight(`${p}_b`, [n], 0.05)], [`${p}_out`], { name: `${p}/Add` }));
    return `${p}_out`;
  }

  add(a: string, b: string, out: string): string {
    this.nodes.push(node('Add', [a, b], [out], { name: `${out}/Add` }));
    return out;
  }

  gelu(x: string, p: string): string {
    this.nodes.push(
      node('Div', [x, this.scalar(`${p}_sqrt2`, Math.SQRT2)], [`${p}_div`], { name: `${p}/Div` }),
      node('Erf', [`${p}_div`], [`${p}_erf`], { name: `${p}/Erf` }),
      node('Add', [`${p}_erf`, this.scalar(`${p}_one`, 1)], [`${p}_add`], { name: `${p}/Add` }),
      node('Mul', [x, `${p}_add`], [`${p}_mul`], { name: `${p}/Mul` }),
      node('Mul', [`${p}_mul`, this.scalar(`${p}_half`, 0.5)], [`${p}_out`], { name: `${p}/Mul_1` }),
    );
    return `${p}_out`;
  }

  attention(x: string, p: string): string {
    const q = this.linear(x, `${p}.query`);
    const k = this.linear(x, `${p}.key`);
    const v = this.linear(x, `${p}.value`);
    this.nodes.push(
      node('Transpose', [k], [`${p}_kt`], { name: `${p}/Transpose`, attributes: [attr.ints('perm', [0, 2, 1])] }),
      node('MatMul', [q, `${p}_kt`], [`${p}_scores`], { name: `${p}/MatMul` }),
      node('Div', [`${p}_scores`, this.scalar(`${p}_scale`, Math.sqrt(this.hidden))], [`${p}_scaled`], { name: `${p}/Div` }),
      node('Softmax', [`${p}_scaled`], [`${p}_probs`], { name: `${p}/Softmax`, attributes: [attr.int('axis', -1)] }),
      node('MatMul', [`${p}_probs`, v], [`${p}_context`], { name: `${p}/MatMul_1` }),
    );
    return `${p}_context`;
  }

  /** The model with input x [batch, sequence, hidden] and the given outputs of the same shape. */
  model(outputs: string[]): ModelProto {
    const shape = ['batch', 'sequence', this.hidden];
    return buildModel({
      opset: 14,
      irVersion: 7,
      inputs: [valueInfo('x', DataType.FLOAT, shape)],
      outputs: outputs.map((o) => valueInfo(o, DataType.FLOAT, shape)),
      initializers: this.initializers,
      nodes: this.nodes,
    });
  }
}
