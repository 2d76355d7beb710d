// The tensor a Constant node stores, whichever attribute holds it: the rewrite converts it, and the plan
// report scans it for values fp16 cannot hold (engine.ts), so both read it the same way.
import { DataType, type NodeProto, type TensorProto } from '../onnx/proto-types';

/** A float Constant's value as a tensor (value, value_float, value_floats); undefined for other Constants. */
export function constantFloatTensor(node: NodeProto): TensorProto | undefined {
  if (node.opType !== 'Constant' || node.domain) return undefined;
  const value = (node.attribute ?? []).find((a) => a.name === 'value' || a.name === 'value_float' || a.name === 'value_floats');
  if (!value) return undefined;
  if (value.name === 'value') return value.t;
  const floats = value.name === 'value_float' ? [value.f ?? 0] : value.floats ?? [];
  return {
    dims: value.name === 'value_float' ? [] : [floats.length],
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(new Float32Array(floats).buffer),
  };
}
