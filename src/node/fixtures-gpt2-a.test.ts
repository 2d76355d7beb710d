// gpt2-deep200 (43,720 nodes), its recipes over three files so that vitest spreads their onnxruntime sessions over
// both cores. Each distinct converted model costs one session (no fp32 one: fixtures/refs/ holds the fp32
// outputs); an fp16 one on the CPU EP is ~95 s of CPU here, a mostly-fp32 one ~28 s (docs/ci.md), so this
// file takes issue-block-list with ort-default and keep-io-types (identical bytes, one session between them),
// and fixtures-gpt2-b/c.test.ts one fp16 model each.
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['issue-block-list', 'ort-default', 'keep-io-types'], timeoutMs: GPT2_TIMEOUT_MS });
