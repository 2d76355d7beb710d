// gpt2-deep200 (43,720 nodes) as one whole file in onnxruntime: the check that onnxruntime creates a session of a
// converted 200-layer model (every optimizer at level 'all', its allocation planner over the whole graph) and runs
// it close to fp32. One fp16 session, ~95 s of CPU (docs/ci.md), shared by ort-default and keep-io-types (identical
// bytes); the other recipes run in pieces beside it (fixtures-gpt2-pieces.test.ts). vitest starts this file first.
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['ort-default', 'keep-io-types'], timeoutMs: GPT2_TIMEOUT_MS });
