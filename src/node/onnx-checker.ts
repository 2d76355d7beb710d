// Adapter to onnx.checker through Debian's python3-onnx: the reference validator the issue names.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CheckerResult {
  path: string;
  status: 'ok' | 'error' | 'skipped';
  error?: string;
  reason?: string;
}

const SCRIPT = fileURLToPath(new URL('../../scripts/check_models.py', import.meta.url));
export const PYTHON = process.env.CASTAWAY_PYTHON ?? '/usr/bin/python3';

let available: boolean | undefined;

/**
 * Whether python3 with the onnx package is available on this machine. Probed once per process: each probe is a
 * python that imports onnx (~0.3 s of CPU), and the test files asked 28 times per run (docs/ci.md, "Sixth pass").
 */
export function checkerAvailable(): boolean {
  available ??= spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
  return available;
}

/** Checks many models in one python process (loading onnx costs ~1 s). */
export function checkModels(paths: string[]): CheckerResult[] {
  if (!paths.length) return [];
  const run = spawnSync(PYTHON, [SCRIPT, ...paths], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`onnx checker failed to run: ${run.stderr}`);
  return run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as CheckerResult);
}
