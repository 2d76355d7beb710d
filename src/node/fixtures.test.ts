// Every fixture, with every recipe the issue names: converts, passes onnx.checker (full_check) where the
// checker knows the IR version, loads and runs in onnxruntime-node with outputs close to fp32, and its
// reference count matches onnxruntime's own figures within 2%.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel, summarizeModel } from '../core/index';
import { generateInputs } from '../core/index';
import { checkModels, checkerAvailable } from './onnx-checker';
import { FIXTURES, ORT_BASELINE, fixtureRecipes, type RecipeName } from './fixture-recipes';
import { compareModels, runModel, type Feeds } from './ort-node';
import { DataType } from '../core/index';

const dir = mkdtempSync(join(tmpdir(), 'castaway-fixtures-'));
const rows: string[] = [];
const written: { file: string; fixture: string; recipe: RecipeName }[] = [];

function feedsFor(model: ReturnType<typeof openModel>): Feeds {
  const feeds: Feeds = {};
  for (const input of generateInputs(model.ir, { batch: 1, batch_size: 1, sequence: 8, sequence_length: 8, seq: 8, encoder_sequence_length: 8, decoder_sequence_length: 8 }, 7)) {
    feeds[input.name] = new ort.Tensor(input.type, input.data as never, input.dims);
  }
  return feeds;
}

describe.each(FIXTURES)('fixture %s', (fixture) => {
  const bytes = new Uint8Array(readFileSync(new URL(`../../fixtures/models/${fixture}.onnx`, import.meta.url)));
  const model = openModel(bytes);
  const recipes = fixtureRecipes(summarizeModel(model));
  const feeds = feedsFor(model);
  // onnxruntime takes tens of seconds to load the 43,720-node graph: run the fp32 reference once.
  let reference: ReturnType<typeof runModel> | undefined;

  it("counts onnxruntime's Casts within 2% of its real figures", () => {
    const baseline = ORT_BASELINE[fixture];
    const issue = planModel(model, recipes['issue-block-list']).ortReferenceCasts;
    const dflt = planModel(model, recipes['ort-default']).ortReferenceCasts;
    expect(Math.abs(issue - baseline.issueCasts) / baseline.issueCasts).toBeLessThanOrEqual(0.02);
    expect(Math.abs(dflt - baseline.defaultCasts) / baseline.defaultCasts).toBeLessThanOrEqual(0.02);
  });

  it.each(Object.keys(recipes) as RecipeName[])('converts with %s and runs close to fp32', async (recipeName) => {
    const result = convertModel(model, recipes[recipeName]);
    const file = join(dir, `${fixture}.${recipeName}.onnx`);
    writeFileSync(file, result.bytes);
    written.push({ file, fixture, recipe: recipeName });
    const r = result.report;
    rows.push(`| ${fixture} | ${recipeName} | ${r.castCount} | ${r.ortReferenceCasts} | ${(100 * r.fp16WeightShare).toFixed(0)}% |`);
    // No more Casts than onnxruntime's tool for the same block list, ever.
    expect(r.castCount).toBeLessThanOrEqual(r.ortReferenceCasts);
    const comparisons = await compareModels(await (reference ??= runModel(bytes, feeds)), result.bytes, feeds);
    expect(comparisons.length).toBeGreaterThan(0);
    for (const c of comparisons) {
      expect(c.nonFinite, `${c.name} non-finite`).toBe(0);
      expect(c.cosine, `${c.name} cosine`).toBeGreaterThan(0.99);
    }
  }, 300_000);
});

describe('onnx.checker', () => {
  it.runIf(checkerAvailable())('accepts every converted fixture (full_check)', () => {
    const results = checkModels(written.map((w) => w.file));
    expect(results.length).toBe(written.length);
    for (const result of results) {
      if (result.status === 'skipped') {
        // IR 10 (opset 18 export) is newer than Debian's onnx 1.12; onnxruntime loaded and ran it above.
        expect(result.path).toMatch(/o18/);
        continue;
      }
      expect(result, result.path).toMatchObject({ status: 'ok' });
    }
  });
});

afterAll(() => {
  if (rows.length) console.log(['| fixture | recipe | Castaway Casts | onnxruntime Casts | fp16 weights |', '|---|---|---|---|---|', ...rows.sort()].join('\n'));
});
