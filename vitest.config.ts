import os from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Files dominated by onnxruntime sessions and child processes, by CPU alone (docs/ci.md, third pass), longest
// first, so the run does not end waiting on one of them: gpt2-deep200's whole-file session (~95 s) before all.
// vitest's own order (by earlier durations, else file size) would start the tiny gpt2-deep200 files last.
export const SLOW = [/fixtures-gpt2-whole/, /node\/bf16/, /precision\.test/, /fixtures-gpt2-pieces/, /companion\/server/, /preview-speed/, /node\/fixtures\.test/, /backend-suite/, /mutation/, /companion\/(memory|file-leak)/];

/** Every test file of the repository (vitest's own exclusions aside). */
export const ALL_TESTS = ['src/**/*.test.ts', 'workers/**/*.test.ts', 'scripts/**/*.test.ts'];

/**
 * The files that keep a module graph of their own (project 'isolated'); every other file shares one per worker
 * (project 'shared'), which saves each file's import of the engine, onnxruntime and vitest's runner (docs/ci.md,
 * fourth pass). A file belongs here when it reads module-level state that a neighbour could have set first:
 * - src/cli/bench.test.ts: `castaway bench` asks the companion's runner, which probes the CUDA EP once per module
 *   graph and caches the answer (runner.ts probeEps) under the CASTAWAY_DISABLE_CUDA the process had then; the
 *   file sets that variable in one test and expects the answer cached by an earlier one.
 * - src/node/fixtures-gpt2-whole.test.ts: one fp16 session of a 43,720-node model that nothing releases but the
 *   garbage collector (onnxruntime's native memory, which V8 does not see); isolated, it is freed when the file
 *   ends instead of staying in a worker that goes on with the shared files. It runs first and alone on its
 *   worker, so its own import is paid either way.
 */
export const ISOLATED_TESTS = ['src/cli/bench.test.ts', 'src/node/fixtures-gpt2-whole.test.ts'];

/**
 * Where a file starts in the queue (lower first): the isolated files before the shared ones, since vitest keeps a
 * shared module graph only while the next file in its queue is of the same project (one isolated file between two
 * shared ones would end the graph, and the next shared file would import everything again); within each group,
 * SLOW's order, then the rest.
 */
export function startRank(path: string, isolated: boolean): number {
  const slow = SLOW.findIndex((re) => re.test(path));
  return (isolated ? 0 : SLOW.length + 1) + (slow < 0 ? SLOW.length : slow);
}

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => startRank(f.moduleId, f.project.config.isolate !== false);
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
      // No file here mocks a module, stubs a global, the environment or timers, or leaves a process, server or
      // environment variable behind (scripts/ci-suite.test.ts checks what it can): their files share one module
      // graph per worker instead of importing it afresh each (docs/ci.md, second and fourth passes).
      { extends: true, test: { name: 'shared', include: ALL_TESTS, exclude: [...configDefaults.exclude, ...ISOLATED_TESTS], isolate: false } },
      { extends: true, test: { name: 'isolated', include: ISOLATED_TESTS } },
    ],
  },
});
