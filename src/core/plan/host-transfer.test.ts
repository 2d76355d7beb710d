// keepIoTypes off with the bytes objective: a graph output (or input) left fp32 pays its extra bytes over
// the host link (HOST_BYTE_COST), so a blocked producer's large output gets a Cast to fp16 as onnxruntime's
// tool writes it, while a tiny one, and every one under the nodes objective, keeps the fewest Casts.
import { describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel } from '../engine';
import { DataType } from '../onnx/proto-types';
import { decodeModel, encodeModel } from '../serde';
import { buildModel, floatTensor, node, valueInfo } from '../testing/build-model';

/** x [batch, frames, 8] -> MatMul (blocked) -> y [batch, frames, 8]. */
function model() {
  return openModel(encodeModel(buildModel({
    inputs: [valueInfo('x', DataType.FLOAT, ['batch', 'frames', 8])],
    outputs: [valueInfo('y', DataType.FLOAT, ['batch', 'frames', 8])],
    initializers: [floatTensor('w', [8, 8], Array.from({ length: 64 }, (_, i) => Math.sin(i)))],
    nodes: [node('MatMul', ['x', 'w'], ['y'], { name: 'mm' })],
  })));
}
const blocked = { opBlockList: ['MatMul'], keepIoTypes: false, targetEp: 'cuda' as const };
const large = { batch: 8, frames: 1500 };

describe('graph I/O and the host link (keepIoTypes off)', () => {
  it('bytes objective, large I/O: fp16 graph input and output, with a Cast on each side of the blocked node', () => {
    const report = planModel(model(), { ...blocked, objective: 'bytes', dims: large });
    expect(report.nodePrecision).toEqual(['fp32']);
    expect(report.castCount).toBe(2);
    const out = decodeModel(convertModel(model(), { ...blocked, objective: 'bytes', dims: large }).bytes);
    expect(out.graph?.output?.[0].type?.tensorType?.elemType).toBe(DataType.FLOAT16);
    expect(out.graph?.input?.[0].type?.tensorType?.elemType).toBe(DataType.FLOAT16);
  });

  it('bytes objective, tiny I/O: a Cast launch costs more than the copy, so fp32 I/O and no Cast', () => {
    const report = planModel(model(), { ...blocked, objective: 'bytes', dims: { batch: 1, frames: 1 } });
    expect(report.castCount).toBe(0);
  });

  it('nodes objective: the fewest Casts whatever the sizes', () => {
    const report = planModel(model(), { ...blocked, objective: 'nodes', dims: large });
    expect(report.castCount).toBe(0);
    const out = decodeModel(convertModel(model(), { ...blocked, objective: 'nodes', dims: large }).bytes);
    expect(out.graph?.output?.[0].type?.tensorType?.elemType).toBe(DataType.FLOAT);
  });

  it('keepIoTypes on: graph I/O stays fp32 and costs nothing extra', () => {
    const report = planModel(model(), { ...blocked, keepIoTypes: true, objective: 'bytes', dims: large });
    expect(report.castCount).toBe(0);
  });
});
