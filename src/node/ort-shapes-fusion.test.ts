// The GPU matrix's Whisper encoder ran one SkipLayerNormalization fewer in Castaway's model than in
// onnxruntime's tool's: Castaway's value_info had no shapes after the first Conv, and onnxruntime's
// SkipLayerNormFusion needs both Add operands' shapes, equal dim for dim (dim_param names compared). Here on
// the CPU EP: the same graph kept fp32 (every op blocked, so only the value_info differs) fuses the final
// residual Add + LayerNormalization with the shapes Castaway now writes, and does not without them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertModel, decodeModel, encodeModel, openModel, whisperLikeEncoderModel } from '../core/index';

const dir = mkdtempSync(join(tmpdir(), 'castaway-shapes-fusion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function optimizedOps(bytes: Uint8Array, name: string): Promise<Record<string, number>> {
  const path = join(dir, `${name}.onnx`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', optimizedModelFilePath: path, logSeverityLevel: 3 });
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of decodeModel(new Uint8Array(readFileSync(path))).graph?.node ?? []) counts[n.opType ?? ''] = (counts[n.opType ?? ''] ?? 0) + 1;
  return counts;
}

describe('value_info after Conv lets onnxruntime fuse SkipLayerNormalization (Whisper-like encoder)', () => {
  const model = openModel(encodeModel(whisperLikeEncoderModel()));
  const everyOp = [...new Set(model.summary().nodes.map((n) => n.opType))];
  const recipe = { opBlockList: everyOp, keepIoTypes: true, targetEp: 'cuda' as const };

  it('every computed value gets a shape', () => {
    const vi = decodeModel(convertModel(model, recipe).bytes).graph?.valueInfo ?? [];
    expect(vi.length).toBeGreaterThan(15);
    expect(vi.filter((v) => !v.type?.tensorType?.shape).map((v) => v.name)).toEqual([]);
  });

  it('with Castaway\'s value_info the final residual Add and LayerNormalization fuse; without, they do not', async () => {
    const withShapes = await optimizedOps(convertModel(model, recipe).bytes, 'with');
    const without = await optimizedOps(convertModel(model, recipe, { valueInfo: false }).bytes, 'without');
    expect(withShapes.SkipLayerNormalization).toBe(1);
    expect(without.SkipLayerNormalization ?? 0).toBe(0);
  });
});
