// Cast nodes as the model's opset spells them: Cast-1..5 take `to` as a type name string, Cast-6+ as an
// integer data type. Shared by the conversion and the fp16 simulation.
import { AttributeType, DataType, type AttributeProto, type NodeProto } from '../onnx/proto-types';
import { LOW_FORMATS } from '../tensor/low-precision';

// The low types' names come from the one table of low formats; FLOAT is the other side of every Cast.
const TYPE_NAMES: Record<number, string> = {
  [DataType.FLOAT]: 'FLOAT',
  ...Object.fromEntries(Object.values(LOW_FORMATS).map((f) => [f.elemType, f.onnxName])),
};
/** Cast-1's type names for the element types a float conversion meets. */
const TYPE_BY_NAME: Record<string, number> = {
  FLOAT: DataType.FLOAT, FLOAT16: DataType.FLOAT16, BFLOAT16: DataType.BFLOAT16, DOUBLE: DataType.DOUBLE, INT64: DataType.INT64, INT32: DataType.INT32,
  INT16: DataType.INT16, INT8: DataType.INT8, UINT8: DataType.UINT8, UINT16: DataType.UINT16, UINT32: DataType.UINT32,
  UINT64: DataType.UINT64, BOOL: DataType.BOOL, STRING: DataType.STRING,
};

export function castToAttribute(to: number, opset: number): AttributeProto {
  return opset < 6
    ? { name: 'to', type: AttributeType.STRING, s: new TextEncoder().encode(TYPE_NAMES[to]) }
    : { name: 'to', type: AttributeType.INT, i: to };
}

export function makeCast(name: string, input: string, output: string, to: number, opset: number): NodeProto {
  return { input: [input], output: [output], name, opType: 'Cast', domain: '', attribute: [castToAttribute(to, opset)] };
}

/** The target type of an existing Cast, whichever spelling it uses. */
export function castTarget(node: NodeProto): number | undefined {
  const to = node.attribute?.find((a) => a.name === 'to');
  if (!to) return undefined;
  if (to.s && to.s.length) {
    return TYPE_BY_NAME[new TextDecoder().decode(to.s).toUpperCase()];
  }
  return to.i === undefined ? undefined : Number(to.i);
}
