// Recipe from CLI flags named like onnxruntime's convert_float_to_float16 arguments, optionally on top of
// a recipe file: flags add to the file's lists and override its scalars.
import { DEFAULT_RECIPE, type Recipe } from '../core/index';
import { CastawayError } from '../core/index';
import { normalizeRecipe, parseRecipe } from '../core/index';

export interface RecipeFlags {
  recipe?: string;
  'op-block-list'?: string[];
  'node-block-list'?: string[];
  pattern?: string[];
  'keep-io-types'?: boolean;
  'target-ep'?: string;
  objective?: string;
  'low-precision'?: string;
  dims?: string;
  'skip-layer-norm-strict-mode'?: boolean;
}

export const RECIPE_OPTIONS = {
  recipe: { type: 'string' },
  'op-block-list': { type: 'string', multiple: true },
  'node-block-list': { type: 'string', multiple: true },
  pattern: { type: 'string', multiple: true },
  'keep-io-types': { type: 'boolean' },
  'target-ep': { type: 'string' },
  objective: { type: 'string' },
  'low-precision': { type: 'string' },
  dims: { type: 'string' },
  'skip-layer-norm-strict-mode': { type: 'boolean' },
} as const;

const splitList = (values: string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export function recipeFromFlags(flags: RecipeFlags, readText: (path: string) => string): Recipe {
  const base: Recipe = flags.recipe ? parseRecipe(readText(flags.recipe)) : { ...DEFAULT_RECIPE };
  const dims = { ...base.dims };
  for (const pair of flags.dims ? flags.dims.split(',') : []) {
    const [name, size] = pair.split('=');
    if (!name || size === undefined || !/^\d+$/.test(size)) throw new CastawayError('bad-recipe', `--dims expects name=size pairs, got "${pair}"`, '--dims');
    dims[name.trim()] = Number(size);
  }
  return normalizeRecipe({
    ...base,
    opBlockList: [...base.opBlockList, ...splitList(flags['op-block-list'])],
    nodeBlockList: [...base.nodeBlockList, ...splitList(flags['node-block-list'])],
    patterns: [...base.patterns, ...(flags.pattern ?? [])],
    keepIoTypes: flags['keep-io-types'] ?? base.keepIoTypes,
    targetEp: flags['target-ep'] ?? base.targetEp,
    objective: flags.objective ?? base.objective,
    lowPrecision: flags['low-precision'] ?? base.lowPrecision,
    skipLayerNormStrictMode: flags['skip-layer-norm-strict-mode'] ?? base.skipLayerNormStrictMode,
    dims,
  });
}
