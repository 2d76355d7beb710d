// gpt2-deep200 (43,720 nodes), first half of the recipes: a file of its own so that vitest runs it beside the
// other half (fixtures-gpt2-b.test.ts) on the second core. onnxruntime's session creation for this graph is
// the suite's longest step; in one file the five recipes' sessions ran one after another for 483 s at load ~1
// while the rest of `npm test` had finished (docs/ci.md), so each half creates its own fp32 reference.
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['issue-block-list', 'ort-default', 'keep-io-types'], timeoutMs: GPT2_TIMEOUT_MS });
