// Prints, as JSON, the simulated-error comparison of a model computed with onnxruntime-node for the
// default recipe: what the precision panel must show (e2e/precision.spec.ts runs this, since the engine's
// JSON imports do not load in Playwright's test process).
//   tsx scripts/precision-expected.ts model.onnx '{"batch":1,"seq":16}' 0
import { readFileSync } from 'node:fs';
import { DEFAULT_RECIPE } from '../src/core/index';
import { openModel } from '../src/core/index';
import { previewRecipe, runReference, seededInputs } from '../src/core/index';
import { nodeRunner } from '../src/node/ort-node';

const [file, dims = '{}', seed = '0'] = process.argv.slice(2);
const model = openModel(new Uint8Array(readFileSync(file)));
const inputs = seededInputs(model, JSON.parse(dims) as Record<string, number>, Number(seed));
const run = nodeRunner();
const reference = await runReference(model, inputs, run, { intermediates: false });
const preview = await previewRecipe(model, DEFAULT_RECIPE, inputs, reference, run);
process.stdout.write(JSON.stringify(preview.outputs));
