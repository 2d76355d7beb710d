// The element types of one node's outputs, from its schema and what is known of its inputs. Most outputs
// follow from a type parameter bound by an input (Add's C is A's type) or a type the spec fixes (Shape ->
// int64); the rest are set by attributes (Cast 'to', RandomNormal 'dtype', ...), by the wrapped type
// (SequenceAt, Optional) or by a body graph (If, Loop, Scan), and those ops are listed here one by one.
import { AttributeType, DataType, toNumber, type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type TypeProto } from '../onnx/proto-types';
import { formalAt, type OpSchema } from './schema';
import { isTensorType, optionalInner, optionalOf, seqElem, seqOf, typeProtoCode } from './type-codes';

export interface NodeTypingContext {
  /** Type of a value visible at the node (its graph, then enclosing graphs); undefined when unknown. */
  typeOf(name: string): number | undefined;
  /**
   * Type of input `position` (named `name`, not empty) of the node being typed: typeOf(name), read by the
   * IR's slot id where the graph has ids (no name hashed: ~100k inputs on a 44k-node graph).
   */
  inputType(position: number, name: string): number | undefined;
  /**
   * Infers a body graph with the node's scope visible. `formalInputTypes` give the body's formal inputs the
   * types the node passes in (declared body input types are checked against them). Returns the type of each
   * body output, in order.
   */
  inferBody(body: GraphProto, formalInputTypes: readonly (number | undefined)[]): (number | undefined)[];
}

export function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  // a plain loop, not find(): no closure per call (several calls per node in every pass of a 44k-node graph)
  const list = node.attribute;
  if (list) for (let i = 0; i < list.length; i++) if (list[i].name === name) return list[i];
  return undefined;
}

/** An int attribute, or undefined when absent or 0 (0 means "not set" for every dtype-like attribute). */
function intAttr(node: NodeProto, name: string): number | undefined {
  const a = attribute(node, name);
  const v = a && a.i !== undefined && a.i !== null ? toNumber(a.i) : undefined;
  return v ? v : undefined;
}

function tensorType(t: TensorProto | undefined): number | undefined {
  return t?.dataType ? t.dataType : undefined;
}

/** Constant's output type from whichever value attribute it carries. */
function constantType(node: NodeProto): number | undefined {
  for (const a of node.attribute ?? []) {
    switch (a.name) {
      case 'value':
        return tensorType(a.t);
      case 'sparse_value':
        return tensorType((a.sparseTensor as { values?: TensorProto } | undefined)?.values);
      case 'value_float':
      case 'value_floats':
        return DataType.FLOAT;
      case 'value_int':
      case 'value_ints':
        return DataType.INT64;
      case 'value_string':
      case 'value_strings':
        return DataType.STRING;
    }
  }
  return undefined;
}

/** Graph-valued attribute by name (If's then_branch, Loop's and Scan's body). */
function graphAttr(node: NodeProto, name: string): GraphProto | undefined {
  const a = attribute(node, name);
  return a && (a.type === AttributeType.GRAPH || a.g) ? a.g : undefined;
}

/**
 * Output types of a node of the default domain whose rule is not "type parameter bound by an input".
 * Returns undefined for ops without such a rule; entries left undefined fall back to the generic rule.
 */
function specialOutputs(node: NodeProto, schema: OpSchema, ctx: NodeTypingContext): (number | undefined)[] | undefined {
  const inputs = node.input ?? [];
  const outCount = (node.output ?? []).length;
  if (schema.domain === 'com.microsoft') {
    if (node.opType === 'DequantizeWithOrder') return [intAttr(node, 'to')];
    return undefined;
  }
  if (schema.domain !== '') return undefined;
  switch (node.opType) {
    case 'Cast':
    case 'BitCast':
      return [intAttr(node, 'to')];
    case 'Constant':
      return [constantType(node)];
    case 'ConstantOfShape':
      return [tensorType(attribute(node, 'value')?.t) ?? DataType.FLOAT];
    case 'RandomNormal':
    case 'RandomUniform':
      return [intAttr(node, 'dtype') ?? DataType.FLOAT];
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'EyeLike':
    case 'Bernoulli':
      // Without 'dtype' the output takes the input's type (the spec's default).
      return [intAttr(node, 'dtype') ?? inputType(inputs, ctx, 0)];
    case 'Multinomial':
      return [intAttr(node, 'dtype') ?? DataType.INT32];
    case 'BlackmanWindow':
    case 'HammingWindow':
    case 'HannWindow':
    case 'MelWeightMatrix':
      return [intAttr(node, 'output_datatype') ?? DataType.FLOAT];
    case 'QuantizeLinear':
      // Only when no zero point binds the output type: 'output_dtype', else uint8.
      return [inputType(inputs, ctx, 2) ?? intAttr(node, 'output_dtype') ?? DataType.UINT8];
    case 'DequantizeLinear':
      // From opset 23 the output has its own parameter: 'output_dtype', else the scale's type.
      return [intAttr(node, 'output_dtype') ?? inputType(inputs, ctx, 1)];
    case 'LayerNormalization':
      // Mean and InvStdDev are computed in 'stash_type' (float unless set).
      return [inputType(inputs, ctx, 0), intAttr(node, 'stash_type') ?? DataType.FLOAT, intAttr(node, 'stash_type') ?? DataType.FLOAT];
    case 'SequenceEmpty':
      return [seqOf(intAttr(node, 'dtype') ?? DataType.FLOAT)];
    case 'SequenceConstruct':
    case 'SplitToSequence': {
      const t = inputType(inputs, ctx, 0);
      return [isTensorType(t) ? seqOf(t) : undefined];
    }
    case 'SequenceAt':
    case 'ConcatFromSequence':
      return [seqElem(inputType(inputs, ctx, 0))];
    case 'Optional': {
      const t = inputs[0] ? inputType(inputs, ctx, 0) : typeProtoCode(attribute(node, 'type')?.tp as TypeProto | undefined);
      return [t === undefined ? undefined : optionalOf(t)];
    }
    case 'OptionalGetElement': {
      const t = inputType(inputs, ctx, 0);
      return [optionalInner(t) ?? t];
    }
    case 'If': {
      const thenOut = bodyOutputs(node, 'then_branch', [], ctx);
      const elseOut = bodyOutputs(node, 'else_branch', [], ctx);
      return Array.from({ length: outCount }, (_, i) => thenOut[i] ?? elseOut[i]);
    }
    case 'Loop': {
      // Body inputs: iteration number, condition, loop-carried values; outputs: condition, carried, scan outputs.
      const carried = inputs.slice(2).map((n) => (n ? ctx.typeOf(n) : undefined));
      const body = bodyOutputs(node, 'body', [DataType.INT64, DataType.BOOL, ...carried], ctx);
      return Array.from({ length: outCount }, (_, i) => (i < carried.length ? carried[i] ?? body[1 + i] : body[1 + i]));
    }
    case 'Scan': {
      // Opset 8 has a leading sequence_lens input that the body does not see.
      const skip = schema.inputs[0]?.name === 'sequence_lens' ? 1 : 0;
      const bodyIns = inputs.slice(skip).map((n) => (n ? ctx.typeOf(n) : undefined));
      const body = bodyOutputs(node, 'body', bodyIns, ctx);
      return Array.from({ length: outCount }, (_, i) => body[i]);
    }
    case 'SequenceMap': {
      const bodyIns = inputs.map((n, i) => {
        const t = n ? ctx.typeOf(n) : undefined;
        return i === 0 || seqElem(t) !== undefined ? seqElem(t) : t;
      });
      const body = bodyOutputs(node, 'body', bodyIns, ctx);
      return Array.from({ length: outCount }, (_, i) => (isTensorType(body[i]) ? seqOf(body[i]!) : undefined));
    }
    default:
      return undefined;
  }
}

/** Type of the node's input `i` (no closure per node: specialOutputs runs for every node). */
function inputType(inputs: string[], ctx: NodeTypingContext, i: number): number | undefined {
  return inputs[i] ? ctx.inputType(i, inputs[i]) : undefined;
}

function bodyOutputs(node: NodeProto, name: string, ins: (number | undefined)[], ctx: NodeTypingContext): (number | undefined)[] {
  const body = graphAttr(node, name);
  return body ? ctx.inferBody(body, ins) : [];
}

/** Position of `param` among the first `count` entries of `params`, or -1. */
function indexOf(params: readonly string[], count: number, param: string): number {
  for (let i = 0; i < count; i++) if (params[i] === param) return i;
  return -1;
}

/** Type parameters bound by the node being typed, reused (filled after specialOutputs, which may recurse). */
const boundParams: string[] = [];
const boundTypes: number[] = [];

/**
 * The type each output of `node` takes, written to `types[k]` and `certain[k]` (true when the spec decides
 * the type; false for a guess that a declared type may override); an absent output ('' name) gets
 * undefined. Returns the output count. Into the caller's arrays, not an array of objects per node: this
 * runs for every node, twice per convert.
 */
export function nodeOutputTypes(node: NodeProto, schema: OpSchema, ctx: NodeTypingContext, types: (number | undefined)[], certain: boolean[]): number {
  // First, as it may type a body graph (and so call this function again).
  const special = specialOutputs(node, schema, ctx);
  // Type parameters bound by an input, as two short parallel lists (a node binds one to three): a Map per
  // node was 44k Maps per pass on a 44k-node graph.
  // (a count, not length = 0: emptying an array drops its storage, and the next push allocates again)
  let bound = 0;
  const inputs = node.input ?? [];
  for (let position = 0; position < inputs.length; position++) {
    const name = inputs[position];
    const formal = formalAt(schema.inputs, position);
    if (!name || !formal?.typeParam || !formal.homogeneous || indexOf(boundParams, bound, formal.typeParam) >= 0) continue;
    const t = ctx.inputType(position, name);
    if (t !== undefined) {
      boundParams[bound] = formal.typeParam;
      boundTypes[bound] = t;
      bound++;
    }
  }
  const outputs = node.output ?? [];
  for (let position = 0; position < outputs.length; position++) {
    types[position] = undefined;
    certain[position] = false;
    if (!outputs[position]) continue;
    const formal = formalAt(schema.outputs, position);
    if (!formal) continue;
    certain[position] = true;
    if (formal.fixedType !== undefined) {
      types[position] = formal.fixedType;
      continue;
    }
    const fromRule = special?.[position];
    if (fromRule !== undefined) {
      types[position] = fromRule;
      continue;
    }
    const param = formal.typeParam!;
    const b = formal.homogeneous ? indexOf(boundParams, bound, param) : -1;
    if (b >= 0) {
      types[position] = boundTypes[b];
      continue;
    }
    const allowed = schema.typeConstraints.get(param) ?? [];
    if (allowed.length === 1) {
      types[position] = allowed[0];
      continue;
    }
    certain[position] = false;
    if (!formal.homogeneous || allowed.length === 0) continue;
    // Nothing decides: float when the constraint allows it (the ONNX default nearly everywhere), else the first.
    types[position] = allowed.includes(DataType.FLOAT) ? DataType.FLOAT : allowed[0];
  }
  return outputs.length;
}
