// gpt2-deep200 (43,720 nodes), second half of the recipes (see fixtures-gpt2-a.test.ts).
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['no-block-list', 'norms-softmax-scope'], counts: false, timeoutMs: GPT2_TIMEOUT_MS });
