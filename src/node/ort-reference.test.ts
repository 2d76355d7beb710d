// The reference count of onnxruntime's convert_float_to_float16 (src/core/reference/ort-cast-count.ts, which
// uses the engine's own type inference) against an independent count that follows the tool's algorithm on
// top of onnx's shape inference (scripts/ort_fp16_cast_count.py): on models with If/Loop bodies (random ones,
// hand-built ones, silero VAD) with random block lists, both agree exactly, and Castaway is never higher.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE, encodeModel, ifClassifier, loopRefiner, openModel, planModel, randomControlFlowModel, scanAccumulator, type Recipe } from '../core/index';
import { checkerAvailable, PYTHON } from './onnx-checker';

const SCRIPT = fileURLToPath(new URL('../../scripts/ort_fp16_cast_count.py', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/subgraphs/${name}`, import.meta.url));

describe("onnxruntime's tool, counted two ways, on models with bodies", () => {
  it.runIf(checkerAvailable())('the reference count equals the tool-algorithm count on onnx shape inference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-ortref-'));
    const jobs: { path: string; recipe: Recipe }[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      const { model, recipe } = randomControlFlowModel(seed);
      const path = join(dir, `random-${seed}.onnx`);
      writeFileSync(path, encodeModel(model));
      jobs.push({ path, recipe });
    }
    const handBuilt = { ifClassifier, loopRefiner, scanAccumulator };
    for (const [name, build] of Object.entries(handBuilt)) {
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, encodeModel(build()));
      for (const opBlockList of [[], ['Softmax', 'Tanh', 'Exp'], ['Add', 'Sigmoid']]) {
        for (const keepIoTypes of [false, true]) jobs.push({ path, recipe: { ...DEFAULT_RECIPE, opBlockList, keepIoTypes } });
      }
    }
    for (const file of ['silero-vad-v5.onnx', 'silero-vad-legacy.onnx']) {
      for (const recipe of [{ ...DEFAULT_RECIPE }, { ...DEFAULT_RECIPE, keepIoTypes: true }, { ...DEFAULT_RECIPE, opBlockList: ['LSTM'] }, { ...DEFAULT_RECIPE, opBlockList: ['Sigmoid', 'ReduceMean'], keepIoTypes: true }]) {
        jobs.push({ path: fixture(file), recipe });
      }
    }
    const run = spawnSync(PYTHON, [SCRIPT, JSON.stringify(jobs.map(({ path, recipe }) => ({ path, ...recipe })))], { encoding: 'utf8', maxBuffer: 16 << 20 });
    expect(run.status, run.stderr).toBe(0);
    const tool = JSON.parse(run.stdout) as number[];
    const engines = new Map<string, ReturnType<typeof openModel>>();
    jobs.forEach(({ path, recipe }, i) => {
      let engine = engines.get(path);
      if (!engine) engines.set(path, (engine = openModel(new Uint8Array(readFileSync(path)))));
      const report = planModel(engine, recipe);
      expect(report.ortReferenceCasts, `${path} ${JSON.stringify(recipe)}`).toBe(tool[i]);
      expect(report.castCount, `${path} ${JSON.stringify(recipe)}`).toBeLessThanOrEqual(tool[i]);
    });
  }, 120_000);
});
