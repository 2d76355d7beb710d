// The fixture checks, shared by the test files that split them (fixtures*.test.ts): every fixture with every
// recipe converts, never has more Casts than onnxruntime's tool, runs in onnxruntime-node with every output
// close to fp32 and finite, and passes onnx.checker (full_check) where the checker knows the IR version; the
// reference count matches onnxruntime's own figures within 2%.
//
// onnxruntime's session creation dominates the suite's time and grows faster than linearly with the graph
// (~95 s of CPU for an fp16 gpt2-deep200, 43,720 nodes, docs/ci.md), so no fp32 session is created here: the fp32
// outputs are stored test data (fixtures/refs/, fp32-refs.ts), and recipes whose converted bytes are identical
// share one comparison. A file may run its converted models in the preview's layer-sized pieces (`run:
// 'pieces'`, ort-node.ts runCandidate): gpt2-deep200 keeps one whole-file session (fixtures-gpt2-whole.test.ts)
// and checks its other recipes in pieces (fixtures-gpt2-pieces.test.ts); docs/ci.md ("Third pass") says what the
// pieces prove and which check covers what only a whole-file load would catch (onnx.checker below).
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertModel, decodeModel, openModel, planModel, summarizeModel, type ModelProto } from '../core/index';
import { checkModels, checkerAvailable } from './onnx-checker';
import { ORT_BASELINE, fixtureRecipes, type FixtureName, type RecipeName } from './fixture-recipes';
import { fixtureBytes, fixtureFeeds, readReference } from './fp32-refs';
import { compareOutputs, runCandidate, type CandidateRun, type RunMode } from './ort-node';

/**
 * One gpt2-deep200 recipe: onnxruntime-node's CPU session for its fp16 graph takes ~2.5x the fp32 one (~25 s
 * of CPU) and went past 300 s, then past 900 s (1042 s for no-block-list at load 15-21, failing main's
 * `npm test` on 2026-12-02, docs/ci.md), on a 2-core machine shared by several test runs; a time limit that
 * load can break is no correctness check. This one only ends a hang.
 */
export const GPT2_TIMEOUT_MS = 1_800_000;

export interface FixtureSuiteOptions {
  /** Recipes to check (default: all). */
  recipes?: readonly RecipeName[];
  /** Check the reference Cast counts against onnxruntime's figures (default true). */
  counts?: boolean;
  /** Time limit of one recipe's check, ms (default 300 s). */
  timeoutMs?: number;
  /** How the converted models run (default: one onnxruntime session of the whole file). */
  run?: RunMode;
}

/** A model's graph inputs (initializers left out) and outputs in order, by name, and each one's element type. */
function graphInterface(model: ModelProto): { names: string[][]; types: (number | undefined)[][] } {
  const graph = model.graph ?? {};
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const lists = [(graph.input ?? []).filter((v) => !initializers.has(v.name)), graph.output ?? []];
  return { names: lists.map((l) => l.map((v) => v.name ?? '')), types: lists.map((l) => l.map((v) => v.type?.tensorType?.elemType)) };
}

export function fixtureSuite(fixtures: readonly FixtureName[], options: FixtureSuiteOptions = {}): void {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-fixtures-'));
  const rows: string[] = [];
  const written: { file: string; fixture: string; recipe: RecipeName }[] = [];
  const mode = options.run ?? 'session';

  describe.each(fixtures)('fixture %s', (fixture) => {
    const bytes = fixtureBytes(fixture);
    const model = openModel(bytes);
    const recipes = fixtureRecipes(summarizeModel(model));
    const feeds = fixtureFeeds(model);
    const runs = new Map<string, Promise<CandidateRun>>();
    const runOnce = (converted: Uint8Array) => {
      const key = createHash('sha256').update(converted).digest('hex');
      let r = runs.get(key);
      if (!r) runs.set(key, (r = runCandidate(converted, feeds, mode)));
      return r;
    };

    // Its own test so that a stale reference fails by name, with the command that regenerates it.
    it('has a current fp32 reference (fixtures/refs/)', () => {
      expect(Object.keys(readReference(fixture, bytes, feeds)).length).toBeGreaterThan(0);
    });

    it.runIf(options.counts ?? true)("counts onnxruntime's Casts within 2% of its real figures", () => {
      const baseline = ORT_BASELINE[fixture];
      const issue = planModel(model, recipes['issue-block-list']).ortReferenceCasts;
      const dflt = planModel(model, recipes['ort-default']).ortReferenceCasts;
      expect(Math.abs(issue - baseline.issueCasts) / baseline.issueCasts).toBeLessThanOrEqual(0.02);
      expect(Math.abs(dflt - baseline.defaultCasts) / baseline.defaultCasts).toBeLessThanOrEqual(0.02);
    });

    it.each(options.recipes ?? (Object.keys(recipes) as RecipeName[]))('converts with %s and runs close to fp32', async (recipeName) => {
      const result = convertModel(model, recipes[recipeName]);
      const file = join(dir, `${fixture}.${recipeName}.onnx`);
      writeFileSync(file, result.bytes);
      written.push({ file, fixture, recipe: recipeName });
      const r = result.report;
      // No more Casts than onnxruntime's tool for the same block list, ever.
      expect(r.castCount).toBeLessThanOrEqual(r.ortReferenceCasts);
      // The file's interface: the fp32 model's inputs and outputs, by name and in order (sessions and pieces are
      // fed and read by name, so neither would notice a reordering); with keepIoTypes, their element types too.
      const before = graphInterface(model.proto);
      const after = graphInterface(decodeModel(result.bytes));
      expect(after.names).toEqual(before.names);
      if (recipes[recipeName].keepIoTypes) expect(after.types).toEqual(before.types);
      const run = await runOnce(result.bytes);
      const how = run.pieces ? `pieces: ${run.pieces.steps} runs, ${run.pieces.sessions} sessions` : 'one session';
      rows.push(`| ${fixture} | ${recipeName} | ${r.castCount} | ${r.ortReferenceCasts} | ${(100 * r.fp16WeightShare).toFixed(0)}% | ${how} |`);
      // Identical layers share a session: that is what makes pieces cheap (gpt2-deep200: 3 for 200 runs).
      if (run.pieces) expect(run.pieces.sessions * 10).toBeLessThanOrEqual(run.pieces.steps);
      // every stored fp32 output (fp32-refs.ts: checked against these model bytes and feeds), none left out
      const compared = compareOutputs(readReference(fixture, bytes, feeds), run.outputs);
      expect(compared.length).toBeGreaterThan(0);
      for (const c of compared) {
        expect(c.nonFinite, `${c.name} non-finite`).toBe(0);
        expect(c.cosine, `${c.name} cosine`).toBeGreaterThan(0.99);
      }
    }, options.timeoutMs ?? 300_000);
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
    if (rows.length) console.log(['| fixture | recipe | Castaway Casts | onnxruntime Casts | fp16 weights | onnxruntime run |', '|---|---|---|---|---|---|', ...rows.sort()].join('\n'));
  });
}
