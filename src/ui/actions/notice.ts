// The notice bar: every action reports a failure here, in the words of the step that failed.

import type { WorkerError } from '../../../workers/model-api';
import { useApp } from '../store';

export function showError(title: string, error: WorkerError): void {
  useApp.setState({ notice: { kind: 'error', title, message: error.message, code: error.code } });
}

export function dismissNotice(): void {
  useApp.setState({ notice: null });
}
