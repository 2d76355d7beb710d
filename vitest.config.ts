import os from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Files dominated by onnxruntime sessions and child processes, by CPU alone (docs/ci.md, third pass), longest
// first, so the run does not end waiting on one of them: gpt2-deep200's whole-file session (~95 s) before all.
// vitest's own order (by earlier durations, else file size) would start the tiny gpt2-deep200 files last.
export const SLOW = [/fixtures-gpt2-whole/, /node\/bf16/, /precision\.test/, /fixtures-gpt2-pieces/, /companion\/server/, /preview-speed/, /node\/fixtures\.test/, /backend-suite/, /mutation/, /companion\/(memory|file-leak)/];

/** The engine's own unit files: pure, so they run without per-file isolation (the 'core' project). */
export const CORE_TESTS = ['src/core/**/*.test.ts'];

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
    projects: [
      // src/core is pure (no DOM, no Node state it changes, deterministic; the one switch its tests flip,
      // disableHalfKernels, is reset after each test): its files share one module graph per worker instead
      // of importing the engine afresh each, which cut their CPU by ~40% (docs/ci.md, second pass).
      { extends: true, test: { name: 'core', include: CORE_TESTS, isolate: false } },
      // Everything else starts processes, servers and onnxruntime sessions: each file keeps its own.
      { extends: true, test: { name: 'rest', include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'], exclude: [...configDefaults.exclude, ...CORE_TESTS] } },
    ],
  },
});
