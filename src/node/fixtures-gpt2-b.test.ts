// gpt2-deep200, the no-block-list recipe: one fp16 session (see fixtures-gpt2-a.test.ts).
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['no-block-list'], counts: false, timeoutMs: GPT2_TIMEOUT_MS });
