// What the backend node suite must show for either low precision, before each test checks its own runs:
// every float case converts, nothing is refused, and onnx.checker accepts every model it can read, with and
// without keepIoTypes.
import { expect } from 'vitest';
import type { SuiteSummary } from './backend-suite-summary';

export function expectEveryCaseConvertsAndPassesTheChecker(s: SuiteSummary): void {
  expect(s.converted).toBeGreaterThan(700);
  expect(s.refused).toEqual([]);
  expect(s.checker.failed).toEqual([]);
  expect(s.checker.ok + s.checker.skipped).toBe(s.converted);
  expect(s.checkerKeepIo.failed).toEqual([]);
}
