// The ONNX backend node tests: every float model converts, passes onnx.checker, and runs close to the
// suite's expected outputs (docs/backend-suite.md lists the exceptions and why).
import { describe, expect, it } from 'vitest';
import { listBackendCases } from './backend-suite';
import { checkerAvailable } from './onnx-checker';
import { formatSuite, runSuite } from './backend-suite-summary';
import { expectEveryCaseConvertsAndPassesTheChecker } from './backend-suite-expect';

describe('ONNX backend node tests', () => {
  it.runIf(listBackendCases().length > 0 && checkerAvailable())('convert, pass the checker and run within fp16 tolerance', async () => {
    const s = await runSuite();
    console.log(formatSuite(s).split('\n').slice(5, 22).join('\n'));
    expectEveryCaseConvertsAndPassesTheChecker(s);
    const r = s.runs;
    const run = s.converted - r['not-run'].length;
    const good = r['fp16-within-tolerance'].length + r['simulated-within-tolerance'].length + r['random-shapes-match'].length;
    expect(good / run).toBeGreaterThanOrEqual(0.98);
    // Only fp16's own limits remain: large-magnitude softmax inputs, a product beyond 65504, align_corners
    // resize coordinates, quantization rounding, and one onnxruntime fp16 kernel (MaxUnpool with output_shape).
    expect(r['fp16-outside-tolerance'].length + r['simulated-outside-tolerance'].length).toBeLessThanOrEqual(10);
  }, 600_000);
});
