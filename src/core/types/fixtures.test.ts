// Inference on the real fixtures, checked against onnx's own shape inference: for each model, the types of
// its graph inputs, initializers and node outputs as onnx 1.23.1 `onnx.shape_inference.infer_shapes`
// reports them, summarised as a count, a per-type histogram and an FNV-1a hash of the sorted
// "name<TAB>type" lines (computed once with Python; every fixture matched value for value).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toNumber } from '../onnx/proto-types';
import { decodeModel } from '../serde';
import { inferElementTypes } from './infer';

const fixtureDir = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.onnx')).sort();

const ONNX_SHAPE_INFERENCE: Record<string, { count: number; hash: string; histogram: Record<number, number> }> = {
  'bert-tiny-o14.onnx': { count: 375, hash: '357b2cd1', histogram: { 1: 188, 7: 170, 9: 17 } },
  'gpt2-deep200-o14.onnx': { count: 44929, hash: 'cf09234b', histogram: { 1: 17022, 7: 27694, 9: 213 } },
  'pegasus-deep64-o14-encoder.onnx': { count: 7463, hash: 'af2f5096', histogram: { 1: 5204, 7: 2182, 9: 77 } },
  'pegasus-small-o14-decoder.onnx': { count: 583, hash: 'f7c587f6', histogram: { 1: 302, 7: 252, 9: 29 } },
  'pegasus-small-o14-encoder.onnx': { count: 333, hash: 'b911ff0d', histogram: { 1: 182, 7: 136, 9: 15 } },
  'pegasus-small-o18-encoder.onnx': { count: 163, hash: 'f8a6b3be', histogram: { 1: 105, 7: 49, 9: 9 } },
  't5-tiny-o14-encoder.onnx': { count: 319, hash: '003a0d76', histogram: { 1: 139, 7: 165, 9: 15 } },
};

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('inference on the fixtures', () => {
  it('covers every fixture', () => {
    expect(fixtures).toEqual(Object.keys(ONNX_SHAPE_INFERENCE).sort());
  });

  it.each(fixtures)('%s: same types as onnx shape inference, nothing untyped, no disagreement', (name) => {
    const model = decodeModel(new Uint8Array(readFileSync(fixtureDir + name)));
    const graph = model.graph!;
    const opsets = new Map((model.opsetImport ?? []).map((o) => [o.domain ?? '', toNumber(o.version)]));
    const types = inferElementTypes(graph, opsets);
    const names = new Set<string>();
    for (const v of graph.input ?? []) names.add(v.name!);
    for (const t of graph.initializer ?? []) names.add(t.name!);
    for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) names.add(o);
    const histogram: Record<number, number> = {};
    const lines = [...names].sort().map((n) => {
      const t = types.main.get(n);
      expect(t, n).toBeDefined();
      histogram[t!] = (histogram[t!] ?? 0) + 1;
      return `${n}\t${t}`;
    });
    expect({ count: lines.length, hash: fnv1a(lines.join('\n')), histogram }).toEqual(ONNX_SHAPE_INFERENCE[name]);
    expect(types.disagreements).toEqual([]);
    expect(types.untyped).toEqual([]);
  });
});
