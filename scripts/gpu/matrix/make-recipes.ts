// The matrix's Castaway recipes, from the engine's presets, all with fp16 graph inputs/outputs (keepIoTypes
// false, like onnxruntime's convert_float_to_float16(keep_io_types=False)) and targetEp cuda:
//   default.json  onnxruntime's default block list (preset ort-default)
//   norms.json    that list + the preset norms-softmax-fp32 (norm ops and Softmax by op type, norm pieces by
//                 its name rule); ort_arch.py gives onnxruntime's tool the same lists
//   norms-strict.json   norms.json for sessions with enable_skip_layer_norm_strict_mode (skipLayerNormStrictMode)
//   none.json     nothing blocked: prepare.sh adds the issue #15490 block list with --op-block-list
//   default-bf16.json, norms-bf16.json   the same two with bfloat16 as the low type, keepIoTypes true
//                 (bench.cjs feeds through onnxruntime-node, which has no bfloat16 tensors); prepare.sh uses
//                 them when CW_LOW=bf16
// usage: tsx scripts/gpu/matrix/make-recipes.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { PRESETS } from '../../../src/core/index';

const dir = process.argv[2] ?? '.gpu-work/recipes';
mkdirSync(dir, { recursive: true });
const preset = (id: string) => {
  const p = PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p.recipe;
};
const base = { keepIoTypes: false, targetEp: 'cuda' };
const ortDefault = preset('ort-default');
const norms = preset('norms-softmax-fp32');
const recipes: Record<string, object> = {
  default: { ...ortDefault, ...base },
  norms: { ...norms, ...base, opBlockList: [...(ortDefault.opBlockList ?? []), ...(norms.opBlockList ?? [])] },
  none: { ...preset('none'), ...base },
};
recipes['norms-strict'] = { ...recipes.norms, skipLayerNormStrictMode: true };
const bf16 = { lowPrecision: 'bf16', keepIoTypes: true };
recipes['default-bf16'] = { ...recipes.default, ...bf16 };
recipes['norms-bf16'] = { ...recipes.norms, ...bf16 };
for (const [name, r] of Object.entries(recipes)) writeFileSync(`${dir}/${name}.json`, `${JSON.stringify(r, null, 2)}\n`);
console.log(`recipes in ${dir}: ${Object.keys(recipes).join(', ')}`);
