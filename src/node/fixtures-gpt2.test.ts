// gpt2-deep200 (43,720 nodes), every recipe, in one file: onnxruntime's session creation for this graph is
// the suite's longest step (the fp32 one ~20-30 s of CPU, an fp16 one ~2.5x that), so the fp32 reference is
// created once for all recipes instead of once per file (the recipes were split over two files, each with
// its own reference). vitest starts this file first, on one worker, and runs the other files on the other.
import { GPT2_TIMEOUT_MS, fixtureSuite } from './fixture-suite';

fixtureSuite(['gpt2-deep200-o14'], { timeoutMs: GPT2_TIMEOUT_MS });
