import os from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Files dominated by onnxruntime session creation (single-threaded native work, tens of seconds for the
// largest fixture): started first, so the run does not end waiting on one of them alone.
const SLOW = /fixtures-gpt2|fixtures\.test|backend-suite|node\/bf16|precision\.test|companion\/(server|memory|file-leak)|mutation/;

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slow = (f: TestSpecification) => SLOW.test(f.moduleId);
    return [...sorted.filter(slow), ...sorted.filter((f) => !slow(f))];
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 120_000,
    pool: 'threads',
    // vitest's default is one worker less than the cores: a single worker on the 2-core CI machine, which
    // leaves a core idle while onnxruntime loads a model on the other.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    sequence: { sequencer: SlowFirst },
  },
});
