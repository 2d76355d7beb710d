// Writes the Castaway recipes timed on the GPU machine into .gpu-bundle/recipes/, from the engine's own presets:
//   ort-default.json  onnxruntime's default block list, keepIoTypes
//   ort-default-io16.json  the same with fp16 graph inputs/outputs (onnxruntime's call with no arguments)
//   norms.json        "Norms and Softmax in fp32" (LayerNorm pieces by name scope, Softmax), keepIoTypes
//   norms-io16.json   the same with fp16 graph inputs/outputs
// (the issue block list is per model: pegasus-pipeline.sh passes it with --op-block-list).
// All target the CUDA EP: ops without a float16 CUDA kernel stay fp32.
import { mkdirSync, writeFileSync } from 'node:fs';
import { PRESETS } from '../../src/core/index';

const dir = process.argv[2] ?? '.gpu-bundle/recipes';
mkdirSync(dir, { recursive: true });
const preset = (id: string) => {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p.recipe;
};
const recipes: Record<string, object> = {
  'ort-default': { ...preset('ort-default'), keepIoTypes: true, targetEp: 'cuda' },
  'ort-default-io16': { ...preset('ort-default'), keepIoTypes: false, targetEp: 'cuda' },
  norms: { ...preset('norms-softmax-fp32'), keepIoTypes: true, targetEp: 'cuda' },
  'norms-io16': { ...preset('norms-softmax-fp32'), keepIoTypes: false, targetEp: 'cuda' },
};
for (const [name, r] of Object.entries(recipes)) writeFileSync(`${dir}/${name}.json`, `${JSON.stringify(r, null, 2)}\n`);
console.log(`recipes in ${dir}: ${Object.keys(recipes).join(', ')}`);
