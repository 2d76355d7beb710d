// gpt2-deep200's other recipes, run in the preview's layer-sized pieces on onnxruntime-node (ort-node.ts
// runCandidate): its 200 identical layers share one session, so a recipe costs three small sessions instead of
// a ~95-s one. Every output close to fp32 and finite, and onnx.checker's full_check of each whole file; why that
// and fixtures-gpt2-whole.test.ts's session cover what a whole-file load of these would: docs/ci.md, "Third pass".
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { recipes: ['issue-block-list', 'no-block-list', 'norms-softmax-scope'], counts: false, run: 'pieces', timeoutMs: GPT2_TIMEOUT_MS });
