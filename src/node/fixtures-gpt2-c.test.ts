// gpt2-deep200, the norms-softmax-scope recipe: one fp16 session (see fixtures-gpt2-a.test.ts).
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['norms-softmax-scope'], counts: false, timeoutMs: GPT2_TIMEOUT_MS });
