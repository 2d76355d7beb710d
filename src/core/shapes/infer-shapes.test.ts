// Shapes on the real fixtures against onnx's own shape inference (testdata/*.json, written by
// scripts/gen-shape-reference.py with onnx 1.23.1 on the GPU machine, the version onnxruntime's tool ran there): every value onnx shapes must get the same
// dims, with onnx's fresh unknown-dim names (unk__N) matched to ours one to one, so that the same dims are
// equal in both and no others.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toNumber, type ModelProto } from '../onnx/proto-types';
import { convertModel, openModel } from '../engine';
import { decodeModel, encodeMessage, encodeModel, encodeTensorValueInfos } from '../serde';
import { convEncoderModel } from '../testing/conv-encoder';
import { inferGraphShapes } from './infer-shapes';
import { withInferredValueInfo, withInferredValueInfoEncoded } from './value-info';
import { concatBytes } from '../bytes';
import { DataType } from '../onnx/proto-types';

const fixtureDir = fileURLToPath(new URL('../../../fixtures/models/', import.meta.url));
const dataDir = fileURLToPath(new URL('./testdata/', import.meta.url));
const FIXTURES = ['bert-tiny-o14', 'pegasus-small-o14-encoder', 'pegasus-small-o14-decoder', 'pegasus-small-o18-encoder', 't5-tiny-o14-encoder'];

type RefDim = number | string | null;

function opsetsOf(model: ModelProto): Map<string, number> {
  return new Map((model.opsetImport ?? []).map((o) => [o.domain ?? '', toNumber(o.version ?? 0)]));
}

type Reference = { values: Record<string, [number, RefDim[] | null]> };

/**
 * Differences between onnx's shapes and ours: every dim equal, onnx's fresh unknown-dim names (unk__N)
 * paired one to one with ours.
 */
function mismatchesAgainst(ref: Reference, shapeOf: (value: string) => readonly (number | string | undefined)[] | undefined): string[] {
  const ours = new Map<string, string>(); // onnx symbol -> ours
  const theirs = new Map<string, string>(); // ours -> onnx symbol
  const mismatches: string[] = [];
  for (const [value, [, dims]] of Object.entries(ref.values)) {
    const got = shapeOf(value);
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
  return mismatches;
}

describe('shape inference matches onnx on the fixtures', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const model = decodeModel(new Uint8Array(readFileSync(`${fixtureDir}${name}.onnx`)));
      const ref = JSON.parse(readFileSync(`${dataDir}${name}.json`, 'utf8')) as Reference;
      const { shapes, inconsistent } = inferGraphShapes(model.graph!, opsetsOf(model));
      expect(inconsistent).toEqual([]);
      expect(mismatchesAgainst(ref, (v) => shapes.get(v)).slice(0, 20)).toEqual([]);
    });
  }
});

describe('Conv, pooling, Pad, Resize, norms: a Whisper-like front end (testdata/conv-encoder-o17, onnx 1.12)', () => {
  const bytes = new Uint8Array(readFileSync(`${dataDir}conv-encoder-o17.onnx`));
  const ref = JSON.parse(readFileSync(`${dataDir}conv-encoder-o17.json`, 'utf8')) as Reference;

  it('is the model src/core/testing/conv-encoder.ts builds', () => {
    expect(encodeModel(convEncoderModel())).toEqual(bytes);
  });

  it('infers every value as onnx does', () => {
    const model = decodeModel(bytes);
    const { shapes, inconsistent } = inferGraphShapes(model.graph!, opsetsOf(model));
    expect(inconsistent).toEqual([]);
    expect(mismatchesAgainst(ref, (v) => shapes.get(v))).toEqual([]);
  });

  it('writes every value\'s shape into the converted model\'s value_info, equal to onnx\'s', () => {
    // The GPU matrix's Whisper encoder: value_info with no shapes after the first Conv left onnxruntime
    // with 5 CPU Concats and one unfused SkipLayerNormalization that onnx's shapes let it remove.
    const converted = decodeModel(convertModel(openModel(bytes), { targetEp: 'cuda' }).bytes);
    const written = new Map((converted.graph?.valueInfo ?? []).map((vi) => [vi.name ?? '', vi]));
    const shapeOf = (name: string) => {
      const dims = written.get(name)?.type?.tensorType?.shape?.dim;
      return dims?.map((d) => (d.dimValue !== undefined && d.dimValue !== null ? toNumber(d.dimValue) : d.dimParam || undefined));
    };
    expect(Object.keys(ref.values).length).toBeGreaterThan(15);
    expect(mismatchesAgainst(ref, shapeOf)).toEqual([]);
  });
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

describe('withInferredValueInfoEncoded', () => {
  // convertModel writes value_info straight to bytes: the file must be the one the objects encode to.
  it.each(FIXTURES)('%s: the same model bytes as withInferredValueInfo, before and after a conversion', (name) => {
    const bytes = new Uint8Array(readFileSync(`${fixtureDir}${name}.onnx`));
    const converted = decodeModel(convertModel(openModel(bytes), {}, { valueInfo: false }).bytes);
    for (const model of [decodeModel(bytes), converted, withInferredValueInfo(converted)]) {
      // compared as Buffers: toEqual walks a multi-megabyte array element by element for minutes
      const viaBytes = Buffer.from(encodeModel(withInferredValueInfoEncoded(model)));
      expect(viaBytes.equals(encodeModel(withInferredValueInfo(model)))).toBe(true);
    }
  });

  it('encodes any entry as encodeMessage does: negative, 64-bit and unknown dims, scalars, no shape, long and non-ASCII names', () => {
    const entries = [
      { name: 'a', elemType: DataType.FLOAT, shape: [1, 'batch', 128] },
      { name: 'scalar', elemType: DataType.INT64, shape: [] },
      { name: 'unranked', elemType: DataType.FLOAT16, shape: undefined },
      { name: 'odd', elemType: DataType.BFLOAT16, shape: [-1, 2 ** 40, 0, undefined, ''] },
      { name: `long-${'x'.repeat(300)}`, elemType: DataType.DOUBLE, shape: ['n'.repeat(200)] },
      { name: 'ünïcødé ✓ 𝄞', elemType: DataType.STRING, shape: ['dïm'] },
      { name: 'negative type', elemType: -3, shape: [4] },
    ];
    const viaObjects = concatBytes(entries.map(({ name, elemType, shape }) => {
      const vi = { name, type: { tensorType: shape ? { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : { elemType } } };
      // GraphProto.value_info (field 13) holding it: encode a graph with only this entry
      return encodeMessage('GraphProto', { valueInfo: [vi] });
    }));
    const columns = { names: entries.map((v) => v.name), elemTypes: entries.map((v) => v.elemType), shapes: entries.map((v) => v.shape) };
    expect(encodeTensorValueInfos(columns)).toEqual(viaObjects);
  });
});
