// docs/fixtures.md: every fixture with every recipe the issue names, Castaway's Casts next to
// onnxruntime's (its real figures from fixtures/README.md and Castaway's model of its tool), plus
// conversion time and onnx.checker's verdict.   npx tsx scripts/fixture-report.ts [--write docs/fixtures.md]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertModel, openModel, summarizeModel } from '../src/core/index';
import { FIXTURES, ORT_BASELINE, fixtureRecipes, type RecipeName } from '../src/node/fixture-recipes';
import { checkModels, checkerAvailable } from '../src/node/onnx-checker';

const { values } = parseArgs({ options: { write: { type: 'string' } } });
const dir = mkdtempSync(join(tmpdir(), 'castaway-fixture-report-'));
const rows: { fixture: string; recipe: RecipeName; casts: number; ort: number; recorded?: number; ms: number; weights: number; file: string }[] = [];
for (const fixture of FIXTURES) {
  const bytes = new Uint8Array(readFileSync(new URL(`../fixtures/models/${fixture}.onnx`, import.meta.url)));
  const model = openModel(bytes);
  const recipes = fixtureRecipes(summarizeModel(model));
  for (const [name, recipe] of Object.entries(recipes) as [RecipeName, (typeof recipes)[RecipeName]][]) {
    const t = performance.now();
    const result = convertModel(model, recipe);
    const ms = performance.now() - t;
    const file = join(dir, `${fixture}.${name}.onnx`);
    writeFileSync(file, result.bytes);
    const recorded = name === 'issue-block-list' ? ORT_BASELINE[fixture].issueCasts : name === 'ort-default' ? ORT_BASELINE[fixture].defaultCasts : undefined;
    rows.push({ fixture, recipe: name, casts: result.report.castCount, ort: result.report.ortReferenceCasts, recorded, ms, weights: result.report.fp16WeightShare, file });
  }
}
const verdicts = new Map(checkerAvailable() ? checkModels(rows.map((r) => r.file)).map((c) => [c.path, c.status === 'ok' ? 'valid' : c.status === 'skipped' ? `not checked here (${c.reason})` : `INVALID: ${c.error}`]) : []);
const lines = [
  '# Fixtures: Castaway next to onnxruntime',
  '',
  "Recipes: **issue-block-list** = every op type in the model except Identity, Constant, Gather, Shape (onnxruntime issue #15490);",
  "**ort-default** = onnxruntime's DEFAULT_OP_BLOCK_LIST with keep_io_types; **no-block-list**; **keep-io-types**; **norms-softmax-scope** = LayerNorm",
  'pieces and Softmax kept fp32 by name scope (the "Norms and Softmax in fp32" preset).',
  '',
  "onnxruntime columns: *recorded* is the real count of onnxruntime 1.30's convert_float_to_float16 from fixtures/README.md (given for the two",
  'settings it was measured with); *modelled* is Castaway\'s reference model of that tool (reference/ort-cast-count.ts), shown live in the app.',
  'Validity: onnx.checker.check_model(full_check=True) with Debian\'s onnx 1.12; onnxruntime-node also loads and runs every output',
  '(src/node/fixture-suite.ts, run by fixtures*.test.ts: cosine > 0.99 against fp32, no inf/NaN).',
  '',
  '| fixture | recipe | Castaway Casts | onnxruntime Casts (recorded) | onnxruntime Casts (modelled) | fp16 weights | convert ms | validity |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.fixture} | ${r.recipe} | **${r.casts}** | ${r.recorded ?? ''} | ${r.ort} | ${(100 * r.weights).toFixed(0)}% | ${r.ms.toFixed(0)} | ${verdicts.get(r.file) ?? 'checker unavailable'} |`),
  '',
  'The opset-18 fixture is IR 10, newer than Debian\'s onnx 1.12: its five conversions were checked with onnx 1.23.1 (full_check) on the GPU',
  'machine and all passed (docs/bench-gpu-machine.md); onnxruntime-node loads and runs them here.',
  '',
  'With the issue block list nothing but Identity, Constant, Gather and Shape may run in fp16, so the optimum keeps the whole graph in fp32:',
  'Castaway emits the model\'s own Casts (identities dropped) and no more, where onnxruntime\'s tool adds one Cast per blocked edge.',
  '',
];
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
if (values.write) writeFileSync(values.write, text);
