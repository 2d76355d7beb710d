// One line naming the stored tensors whose fp16 copy changes values beyond rounding (clamped to +-65504
// or raised from 0 to +-2^-24), for the CLI and the app: a user should see which epsilon or scale moved.
import type { PlanReport, TouchedTensor } from '../api';

/** "eps_1 (1 raised), w (3 clamped), ... and 4 more"; '' when none. */
export function touchedTensorsText(touched: readonly TouchedTensor[], limit = 8): string {
  const shown = touched.slice(0, limit).map((t) => {
    const parts = [t.raised ? `${t.raised} raised` : '', t.clamped ? `${t.clamped} clamped` : ''].filter(Boolean);
    return `${t.name || '(unnamed)'} (${parts.join(', ')})`;
  });
  const more = touched.length - shown.length;
  return shown.join(', ') + (more > 0 ? `, and ${more} more` : '');
}

/**
 * What converting the stored values did, in one line for the CLI and the app: under fp16 the clamped and
 * raised counts; under bf16, which has float32's range and subnormals down to 2^-133, nothing to clamp.
 */
export function storageSummaryText(report: Pick<PlanReport, 'lowPrecision' | 'clampedValues' | 'raisedValues'>): string {
  if (report.lowPrecision === 'bf16') return 'bf16: no clamping needed (float32\'s range)';
  return `fp16: ${report.clampedValues} values clamped to +-65504, ${report.raisedValues} tiny values raised to +-2^-24 instead of 0 (as onnxruntime's tool)`;
}
