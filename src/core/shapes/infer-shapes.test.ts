// Shapes on the real fixtures against onnx's own shape inference (testdata/*.json, written by
// scripts/gen-shape-reference.py with onnx 1.23.1 on the GPU machine, the version onnxruntime's tool ran there): every value onnx shapes must get the same
// dims, with onnx's fresh unknown-dim names (unk__N) matched to ours one to one, so that the same dims are
// equal in both and no others.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toNumber, type ModelProto } from '../onnx/proto-types';
import { decodeModel } from '../serde';
import { inferGraphShapes, withInferredValueInfo } from './infer-shapes';

const fixtureDir = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
const dataDir = fileURLToPath(new URL('./testdata/', import.meta.url));
const FIXTURES = ['bert-tiny-o14', 'pegasus-small-o14-encoder', 'pegasus-small-o14-decoder', 'pegasus-small-o18-encoder', 't5-tiny-o14-encoder'];

type RefDim = number | string | null;

function opsetsOf(model: ModelProto): Map<string, number> {
  return new Map((model.opsetImport ?? []).map((o) => [o.domain ?? '', toNumber(o.version ?? 0)]));
}

describe('shape inference matches onnx on the fixtures', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const model = decodeModel(new Uint8Array(readFileSync(`${fixtureDir}${name}.onnx`)));
      const ref = JSON.parse(readFileSync(`${dataDir}${name}.json`, 'utf8')) as { values: Record<string, [number, RefDim[] | null]> };
      const { shapes, inconsistent } = inferGraphShapes(model.graph!, opsetsOf(model));
      expect(inconsistent).toEqual([]);
      const ours = new Map<string, string>(); // onnx symbol -> ours
      const theirs = new Map<string, string>(); // ours -> onnx symbol
      const mismatches: string[] = [];
      for (const [value, [, dims]] of Object.entries(ref.values)) {
        const got = shapes.get(value);
        if (dims === null) {
          if (got) mismatches.push(`${value}: onnx has no shape, ours ${JSON.stringify(got)}`);
          continue;
        }
        if (!got || got.length !== dims.length) {
          mismatches.push(`${value}: onnx ${JSON.stringify(dims)}, ours ${JSON.stringify(got)}`);
          continue;
        }
        dims.forEach((d, k) => {
          const g = got[k];
          if (typeof d === 'number' || d === null || !d.startsWith('unk__')) {
            if (g !== (d ?? undefined)) mismatches.push(`${value}[${k}]: onnx ${d}, ours ${g}`);
            return;
          }
          if (typeof g !== 'string' || !g.startsWith('unk__')) {
            mismatches.push(`${value}[${k}]: onnx ${d}, ours ${g}`);
            return;
          }
          if ((ours.get(d) ?? g) !== g || (theirs.get(g) ?? d) !== d) mismatches.push(`${value}[${k}]: onnx ${d} paired with ours ${g} and other names`);
          ours.set(d, g);
          theirs.set(g, d);
        });
      }
      expect(mismatches.slice(0, 20)).toEqual([]);
    });
  }
});

describe('withInferredValueInfo', () => {
  it('adds typed, shaped value_info for computed values and keeps graph outputs out', () => {
    const model = decodeModel(new Uint8Array(readFileSync(`${fixtureDir}pegasus-small-o14-encoder.onnx`)));
    const out = withInferredValueInfo(model);
    const vi = out.graph!.valueInfo ?? [];
    const outputs = new Set((model.graph!.output ?? []).map((o) => o.name));
    expect(vi.length).toBeGreaterThan(300);
    expect(vi.some((v) => outputs.has(v.name))).toBe(false);
    expect(new Set(vi.map((v) => v.name)).size).toBe(vi.length);
    for (const v of vi) expect(v.type?.tensorType?.elemType).toBeGreaterThan(0);
    // idempotent: a second pass adds nothing
    expect(withInferredValueInfo(out).graph!.valueInfo).toHaveLength(vi.length);
  });
});
