// The bytes objective on a graph whose output dims torch's exporter left as computed symbols (issue 9, GPU
// matrix: the exported ViT with every op blocked kept its fp32 output). `--dims batch=N` binds the input's
// dim only; the output's size is what the bound input propagates through the graph's shape arguments.
import { describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel } from '../engine';
import { DataType } from '../onnx/proto-types';
import { decodeModel, encodeModel } from '../serde';
import { vitLikeBlockList, vitLikeModel, VIT_TOKENS, VIT_WIDTH } from '../testing/vit-like';
import { inferGraphShapes } from '../shapes/infer-shapes';
import { unboundDimsText } from './value-sizes';
import { readFileSync } from 'node:fs';

const open = (dims?: (number | string)[]) => openModel(encodeModel(vitLikeModel(dims)));
const recipe = (dims: Record<string, number>) => ({
  opBlockList: vitLikeBlockList(vitLikeModel()), keepIoTypes: false, targetEp: 'cuda' as const, objective: 'bytes' as const, dims,
});
const ioTypes = (bytes: Uint8Array) => {
  const g = decodeModel(bytes).graph!;
  return [g.input![0].type!.tensorType!.elemType, g.output![0].type!.tensorType!.elemType];
};

describe('bytes objective with output dims --dims does not name', () => {
  it('follows the bound batch through the computed Reshape/Expand shapes to the output size', () => {
    const graph = vitLikeModel().graph!;
    const { shapes } = inferGraphShapes(graph, new Map([['', 14]]), undefined, { bind: { batch: 32 } });
    expect(shapes.get('flat')).toEqual([32, VIT_WIDTH, VIT_TOKENS - 1]);
    expect(shapes.get('cls_b')).toEqual([32, 1, VIT_WIDTH]);
    expect(shapes.get('merged')).toEqual([32, VIT_TOKENS, VIT_WIDTH]);
    expect(shapes.get('output')).toEqual([32, VIT_TOKENS, VIT_WIDTH]);
    // without bound dims nothing changes: the value_info Castaway writes keeps onnx's default (no data propagation)
    expect(inferGraphShapes(graph, new Map([['', 14]])).shapes.get('merged')?.every((d) => typeof d === 'string')).toBe(true);
  });

  it('every op blocked, batch 32: fp16 input and output, as when the output dims are declared', () => {
    const declared = convertModel(open(['batch', VIT_TOKENS, VIT_WIDTH]), recipe({ batch: 32 }));
    expect(ioTypes(declared.bytes)).toEqual([DataType.FLOAT16, DataType.FLOAT16]);
    const computed = convertModel(open(), recipe({ batch: 32 }));
    expect(ioTypes(computed.bytes)).toEqual([DataType.FLOAT16, DataType.FLOAT16]);
    expect(planModel(open(), recipe({ batch: 32 })).castCount).toBe(2);
  });

  it('names the symbolic dims it could not size, and the size it assumed', () => {
    expect(planModel(open(), recipe({ batch: 32 })).unboundDims).toEqual([]);
    const report = planModel(open(), recipe({}));
    expect(report.unboundDims).toEqual([{ name: 'batch', assumed: 1 }]);
  });

  it("onnxruntime's optimizer output (ends in SkipLayerNormalization): its output is sized through the fused ops", () => {
    // fixtures/optimizer/vit.onnx with its output dims renamed to symbols --dims does not name
    const proto = decodeModel(new Uint8Array(readFileSync(new URL('../../../fixtures/optimizer/vit.onnx', import.meta.url))));
    proto.graph!.output![0].type!.tensorType!.shape!.dim = ['s0', 's1', 's2'].map((dimParam) => ({ dimParam }));
    const ops = [...new Set(proto.graph!.node!.map((n) => n.opType!))].filter((op) => !['Identity', 'Constant', 'Gather', 'Shape'].includes(op));
    const plan = (dims: Record<string, number>) => planModel(openModel(encodeModel(proto)), { opBlockList: ops, keepIoTypes: false, targetEp: 'cuda', objective: 'bytes', dims });
    const report = plan({ batch: 32 });
    expect(report.unboundDims).toEqual([]);
    expect(report.castCount).toBe(2); // fp16 input and output, as with the fixture's own [batch, 197, 64]
  });

  it('the summary line puts graph input dims first and names at most six', () => {
    const dims = ['z_in', ...Array.from({ length: 8 }, (_, i) => `a${i}_dim`)].map((name) => ({ name, assumed: 1 }));
    const text = unboundDimsText(dims)!;
    expect(text).toMatch(/^bytes objective: symbolic dims z_in, a0_dim, a1_dim, a2_dim, a3_dim, a4_dim and 3 more not bound/);
    expect(text).toMatch(/assumed 1 \(pass --dims z_in=SIZE,a0_dim=SIZE,a1_dim=SIZE,a2_dim=SIZE,a3_dim=SIZE,a4_dim=SIZE\)$/);
    // with batch unbound the output's other dims are still sized (5 tokens from the position Add, width 8)
    const report = planModel(open(['batch', 'Addoutput_dim_1', 'zz']), recipe({}));
    expect(report.unboundDims.map((d) => d.name)).toEqual(['batch']);
  });
});
