// Recipes: parsing and validation of the JSON the app exports and the CLI reads, the presets, the node
// matcher the planner uses, and the equivalent CLI command line.
import { CastawayError } from './errors';
import { DEFAULT_RECIPE, TARGET_EPS, type NodeReason, type Objective, type PresetId, type Recipe, type TargetEp } from './api';
import { compileNameRule, RuleRefused, type NameRule } from './name-rule';
import { ORT_DEFAULT_OP_BLOCK_LIST } from './plan/op-classes';
import { LOW_PRECISIONS, isLowPrecision } from './tensor/low-precision';

export { TARGET_EPS };
const OBJECTIVES: readonly Objective[] = ['nodes', 'bytes'];

/**
 * "Norms and Softmax in fp32": the name scopes that torch exports give LayerNorm/RMSNorm pieces
 * (ReduceMean/Sub/Pow/Sqrt/Div under .../layer_norm/, .../LayerNorm/, .../ln_1/) and Softmax nodes, plus
 * the fused ops for graphs exported at opset 17+ or optimized by onnxruntime.
 */
const NORMS_AND_SOFTMAX_RULE = 're:layer_?norm|layernorm|/ln_[a-z0-9]*/|rms_?norm|/softmax';

export const PRESETS: { id: PresetId; label: string; recipe: Partial<Recipe> }[] = [
  { id: 'none', label: 'Nothing blocked', recipe: { opBlockList: [], nodeBlockList: [], patterns: [] } },
  {
    id: 'ort-default',
    label: "onnxruntime's default block list",
    recipe: { opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], nodeBlockList: [], patterns: [], keepIoTypes: true },
  },
  {
    id: 'norms-softmax-fp32',
    label: 'Norms and Softmax in fp32',
    recipe: {
      opBlockList: ['LayerNormalization', 'SimplifiedLayerNormalization', 'SkipLayerNormalization', 'SkipSimplifiedLayerNormalization', 'Softmax'],
      nodeBlockList: [],
      patterns: [NORMS_AND_SOFTMAX_RULE],
    },
  },
];

function fail(message: string): never {
  throw new CastawayError('bad-recipe', message, 'recipe');
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(`"${field}" must be a list of strings`);
  return [...new Set(value as string[])];
}

/** Validates a recipe object (from JSON or from the UI) and fills defaults; unknown keys are refused. */
export function normalizeRecipe(input: unknown): Recipe {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('A recipe must be a JSON object');
  const raw = input as Record<string, unknown>;
  const known = new Set(['keepIoTypes', 'opBlockList', 'nodeBlockList', 'patterns', 'targetEp', 'dims', 'objective', 'lowPrecision', 'skipLayerNormStrictMode', 'castaway']);
  for (const key of Object.keys(raw)) if (!known.has(key)) fail(`Unknown recipe field "${key}"`);
  if (raw.keepIoTypes !== undefined && typeof raw.keepIoTypes !== 'boolean') fail('"keepIoTypes" must be true or false');
  if (raw.skipLayerNormStrictMode !== undefined && typeof raw.skipLayerNormStrictMode !== 'boolean') fail('"skipLayerNormStrictMode" must be true or false');
  const targetEp = (raw.targetEp ?? DEFAULT_RECIPE.targetEp) as TargetEp;
  if (!TARGET_EPS.includes(targetEp)) fail(`"targetEp" must be one of ${TARGET_EPS.join(', ')}`);
  const objective = (raw.objective ?? DEFAULT_RECIPE.objective) as Objective;
  if (!OBJECTIVES.includes(objective)) fail(`"objective" must be one of ${OBJECTIVES.join(', ')}`);
  const lowPrecision = raw.lowPrecision ?? DEFAULT_RECIPE.lowPrecision;
  if (!isLowPrecision(lowPrecision)) fail(`"lowPrecision" must be one of ${LOW_PRECISIONS.join(', ')}`);
  const dims: Record<string, number> = {};
  if (raw.dims !== undefined) {
    if (typeof raw.dims !== 'object' || raw.dims === null || Array.isArray(raw.dims)) fail('"dims" must be an object of sizes');
    for (const [name, size] of Object.entries(raw.dims as Record<string, unknown>)) {
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 2 ** 31) fail(`dim "${name}" must be a positive integer`);
      dims[name] = size;
    }
  }
  const patterns = stringList(raw.patterns, 'patterns');
  for (const p of patterns) compileRule(p);
  return {
    keepIoTypes: raw.keepIoTypes === true,
    opBlockList: stringList(raw.opBlockList, 'opBlockList').sort(),
    nodeBlockList: stringList(raw.nodeBlockList, 'nodeBlockList').sort(),
    patterns,
    targetEp,
    dims,
    objective,
    lowPrecision,
    skipLayerNormStrictMode: raw.skipLayerNormStrictMode === true,
  };
}

export function parseRecipe(json: string): Recipe {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    fail(`The recipe is not valid JSON: ${(error as Error).message}`);
  }
  return normalizeRecipe(parsed);
}

/**
 * The recipe as the app exports it: stable key order, so the same recipe gives the same file.
 * skipLayerNormStrictMode is written only when set, so that recipes without it keep their bytes.
 */
export function serializeRecipe(recipe: Recipe): string {
  const r = normalizeRecipe(recipe);
  const strict = r.skipLayerNormStrictMode ? { skipLayerNormStrictMode: true } : {};
  return `${JSON.stringify({ keepIoTypes: r.keepIoTypes, opBlockList: r.opBlockList, nodeBlockList: r.nodeBlockList, patterns: r.patterns, targetEp: r.targetEp, dims: r.dims, objective: r.objective, lowPrecision: r.lowPrecision, ...strict }, null, 2)}\n`;
}


/** A rule's matcher (name-rule.ts: linear time whatever the rule); a refused rule is a bad recipe. */
export function compileRule(rule: string): NameRule {
  try {
    return compileNameRule(rule);
  } catch (error) {
    if (error instanceof RuleRefused) fail(error.message);
    throw error;
  }
}

/** Why a node is in the fp32 block list, or undefined when it is not. */
export type BlockReason = Extract<NodeReason, 'op-block-list' | 'node-block-list' | 'pattern'>;

export function makeBlockMatcher(recipe: Recipe): (opType: string, name: string) => BlockReason | undefined {
  const ops = new Set(recipe.opBlockList);
  const names = new Set(recipe.nodeBlockList);
  const rules = recipe.patterns.map(compileRule);
  // Asked for every node (the planner, then onnxruntime's reference count): an empty list is not consulted
  // (a Set lookup hashes the node's name, 44k names never hashed otherwise) and the rules are tried in a
  // loop (some() with a closure per node).
  const byName = names.size > 0;
  return (opType, name) => {
    if (ops.has(opType)) return 'op-block-list';
    if (byName && names.has(name)) return 'node-block-list';
    if (name) for (let i = 0; i < rules.length; i++) if (rules[i](name)) return 'pattern';
    return undefined;
  };
}

function shellQuote(word: string): string {
  return /^[\w./:=,@+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The CLI command that gives the same bytes as the app's export. */
export function recipeToCliCommand(recipe: Recipe, inputFile: string, outputFile: string): string {
  const r = normalizeRecipe(recipe);
  const words = ['npx', 'castaway', 'convert', inputFile, '-o', outputFile];
  if (r.opBlockList.length) words.push('--op-block-list', r.opBlockList.join(','));
  if (r.nodeBlockList.length) words.push('--node-block-list', r.nodeBlockList.join(','));
  for (const p of r.patterns) words.push('--pattern', p);
  if (r.keepIoTypes) words.push('--keep-io-types');
  if (r.targetEp !== 'any') words.push('--target-ep', r.targetEp);
  if (r.objective !== 'nodes') words.push('--objective', r.objective);
  if (r.lowPrecision !== 'fp16') words.push('--low-precision', r.lowPrecision);
  if (r.skipLayerNormStrictMode) words.push('--skip-layer-norm-strict-mode');
  const dims = Object.entries(r.dims).map(([k, v]) => `${k}=${v}`);
  if (dims.length) words.push('--dims', dims.join(','));
  return words.map(shellQuote).join(' ');
}
