// The recipes the issue asks every fixture to be converted with, and the baseline figures of
// onnxruntime 1.30's convert_float_to_float16 from fixtures/README.md, shared by tests and benchmarks.
import { DEFAULT_RECIPE, type Recipe } from '../core/index';
import type { ModelSummary } from '../core/index';
import { PRESETS } from '../core/index';
import { ORT_DEFAULT_OP_BLOCK_LIST } from '../core/index';

export const FIXTURES = [
  'pegasus-small-o14-encoder',
  'pegasus-small-o14-decoder',
  'pegasus-small-o18-encoder',
  'bert-tiny-o14',
  't5-tiny-o14-encoder',
  'pegasus-deep64-o14-encoder',
  'gpt2-deep200-o14',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

/** onnxruntime 1.30 baseline (fixtures/README.md): Casts with the issue block list and with its defaults. */
export const ORT_BASELINE: Record<FixtureName, { nodes: number; issueCasts: number; defaultCasts: number; convertSeconds: number }> = {
  'pegasus-small-o14-encoder': { nodes: 314, issueCasts: 313, defaultCasts: 8, convertSeconds: 0.04 },
  'pegasus-small-o14-decoder': { nodes: 553, issueCasts: 521, defaultCasts: 13, convertSeconds: 0.03 },
  'pegasus-small-o18-encoder': { nodes: 124, issueCasts: 225, defaultCasts: 2, convertSeconds: 0.01 },
  'bert-tiny-o14': { nodes: 354, issueCasts: 317, defaultCasts: 8, convertSeconds: 0.03 },
  't5-tiny-o14-encoder': { nodes: 302, issueCasts: 249, defaultCasts: 17, convertSeconds: 0.03 },
  'pegasus-deep64-o14-encoder': { nodes: 7072, issueCasts: 8869, defaultCasts: 8, convertSeconds: 3.47 },
  'gpt2-deep200-o14': { nodes: 43720, issueCasts: 29840, defaultCasts: 8, convertSeconds: 73.27 },
};

/** The setting of onnxruntime issue #15490: every op type in the model except Identity, Constant, Gather, Shape. */
export function issueBlockList(summary: ModelSummary): string[] {
  const spared = new Set(['Identity', 'Constant', 'Gather', 'Shape']);
  return [...new Set(summary.opTypes.map((op) => op.opType))].filter((op) => !spared.has(op)).sort();
}

export type RecipeName = 'issue-block-list' | 'ort-default' | 'no-block-list' | 'keep-io-types' | 'norms-softmax-scope';

export function fixtureRecipes(summary: ModelSummary): Record<RecipeName, Recipe> {
  const norms = PRESETS.find((p) => p.id === 'norms-softmax-fp32')!.recipe;
  return {
    'issue-block-list': { ...DEFAULT_RECIPE, opBlockList: issueBlockList(summary) },
    'ort-default': { ...DEFAULT_RECIPE, opBlockList: [...ORT_DEFAULT_OP_BLOCK_LIST], keepIoTypes: true },
    'no-block-list': { ...DEFAULT_RECIPE },
    'keep-io-types': { ...DEFAULT_RECIPE, keepIoTypes: true },
    'norms-softmax-scope': { ...DEFAULT_RECIPE, ...norms },
  };
}
