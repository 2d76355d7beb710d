// Ops whose float outputs are copies or selections of their input values (data movement, max/min, sign
// flips). They round nothing: in fp16 their output is exactly what fp16 inputs give, so whatever error
// they show was made where their input was produced or stored, and keeping them in fp32 cannot lower it.
// The impact ranking leaves them out instead of sending the user to block an Identity.
import { normalizeDomain } from '../onnx/domain';

const EXACT_OPS: ReadonlySet<string> = new Set([
  'Identity', 'Dropout', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Expand', 'Tile',
  'Slice', 'Gather', 'GatherElements', 'GatherND', 'Concat', 'Split', 'DepthToSpace', 'SpaceToDepth',
  'ReverseSequence', 'Compress', 'Relu', 'Abs', 'Neg', 'MaxPool', 'GlobalMaxPool', 'ReduceMax', 'ReduceMin',
  'Max', 'Min', 'Where', 'ScatterElements', 'ScatterND', 'Optional', 'OptionalGetElement',
]);

/** Whether a node of this op type (default domain) adds no rounding error of its own. */
export function addsNoError(opType: string, domain = ''): boolean {
  return normalizeDomain(domain) === '' && EXACT_OPS.has(opType);
}
