import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Files dominated by onnxruntime session creation (single-threaded native work, minutes for the largest
// fixture), longest first, so the run does not end waiting on one of them alone. vitest's own order (by
// earlier durations, else file size) would start the two tiny gpt2-deep200 files last.
const SLOW = [/fixtures-gpt2/, /precision\.test/, /node\/fixtures\.test/, /backend-suite/, /node\/bf16/, /companion\/server/, /mutation/, /companion\/(memory|file-leak)/];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW.findIndex((re) => re.test(f.moduleId));
      return i < 0 ? SLOW.length : i;
    };
    // Array.prototype.sort is stable: within a rank, vitest's order stays
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 120_000,
    // Hooks start real processes (the companion's server.test.ts and memory.test.ts start a server that
    // probes the machine through onnxruntime-node in a child process), which took past vitest's default 10 s
    // at load 13 and failed both files in a full run (docs/ci.md). A hook gets a test's time.
    hookTimeout: 120_000,
    pool: 'threads',
    // vitest's default is one worker less than the cores: a single worker on the 2-core CI machine, which
    // leaves a core idle while onnxruntime loads a model on the other.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: SlowFirst },
  },
});
