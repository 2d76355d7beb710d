// The ONNX backend node tests with bf16 as the low type: every float model converts, passes onnx.checker
// (full_check, with and without keepIoTypes), and its bf16-simulated model runs within the bf16 tolerance of
// the suite's expected outputs (docs/backend-suite.md, section bf16; about a minute here).
import { describe, expect, it } from 'vitest';
import { listBackendCases } from './backend-suite';
import { checkerAvailable } from './onnx-checker';
import { formatBf16Suite, runSuite } from './backend-suite-summary';
import { expectEveryCaseConvertsAndPassesTheChecker } from './backend-suite-expect';

describe('ONNX backend node tests, bf16', () => {
  it.runIf(listBackendCases().length > 0 && checkerAvailable())('convert to bf16, pass the checker and simulate within bf16 tolerance', async () => {
    const s = await runSuite(undefined, 'bf16');
    console.log(formatBf16Suite(s).split('\n').slice(7, 17).join('\n'));
    expectEveryCaseConvertsAndPassesTheChecker(s);
    const r = s.runs;
    expect(r['fp16-within-tolerance'].length + r['fp16-outside-tolerance'].length).toBe(0); // bf16 runs are simulations
    const run = s.converted - r['not-run'].length;
    expect((r['simulated-within-tolerance'].length + r['random-shapes-match'].length) / run).toBeGreaterThanOrEqual(0.99);
    // Precision limits only, as for fp16 (large-magnitude softmax, align_corners resize, MaxUnpool); the fp16
    // overflow cases (ReduceProd beyond 65504) pass: bf16 has float32's range.
    expect(r['simulated-outside-tolerance'].length).toBeLessThanOrEqual(8);
    expect(r['simulated-outside-tolerance']).not.toContain('test_reduce_prod_default_axes_keepdims_example');
  }, 600_000);
});
