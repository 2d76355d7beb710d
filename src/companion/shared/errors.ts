// An error with a wire code (see protocol.ts ErrorCode). Browser-safe.
import { STATUS_OF, type ErrorCode } from './protocol.js';

export class CompanionError extends Error {
  override name = 'CompanionError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS_OF[this.code];
  }
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && x in STATUS_OF;
}
