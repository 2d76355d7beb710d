// The human-readable `castaway inspect` report.
import type { ModelSummary, PlanReport, Recipe } from '../core/index';
import { domainLabel, storageSummaryText, touchedTensorsText, unboundDimsText } from '../core/index';

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const padLeft = (s: string | number, n: number) => String(s).padStart(n);

export function formatInspect(summary: ModelSummary, report: PlanReport, recipe: Recipe): string {
  const lines: string[] = [];
  const inBodies = summary.nodeCount - summary.mainNodeCount;
  const bodies = inBodies ? ` (${inBodies} of them in ${summary.bodies.length} If/Loop/Scan bodies)` : '';
  lines.push(`model: ${summary.nodeCount} nodes${bodies}, IR ${summary.irVersion}, opsets ${Object.entries(summary.opsets).map(([d, v]) => `${domainLabel(d)}:${v}`).join(' ')}${summary.producer ? `, from ${summary.producer}` : ''}`);
  lines.push(`inputs: ${summary.inputs.join(', ')}`);
  lines.push(`outputs: ${summary.outputs.join(', ')}`);
  const floatValues = summary.values.filter((v) => v.elemType === 1);
  const floatWeights = floatValues.filter((v) => v.isInitializer);
  lines.push(`float32 values: ${floatValues.length} (${floatWeights.length} initializers, ${(floatWeights.reduce((s, v) => s + v.initializerBytes, 0) / 1e6).toFixed(2)} MB)`);
  // The engine's total, Constant-node tensors included (paddle2onnx keeps every weight in one).
  lines.push(`weights: ${summary.weightBytes.toLocaleString('en-US')} bytes (initializers and Constant nodes)`);
  const beyond = summary.nodes.filter((n) => n.weightsBeyondFp16 > 0);
  if (beyond.length) {
    lines.push(`weights beyond fp16's range: ${beyond.map((n) => `${n.name || `#${n.index}`} (${n.weightsBeyondFp16})`).join(', ')}`);
  }
  lines.push('');
  lines.push(`${pad('op type', 28)}${padLeft('count', 7)}  float  ${pad(`${recipe.lowPrecision} kernel (cuda)`, 18)}  blocked`);
  const blocked = new Set(recipe.opBlockList);
  for (const op of summary.opTypes) {
    lines.push(`${pad(op.domain ? `${op.domain}.${op.opType}` : op.opType, 28)}${padLeft(op.count, 7)}  ${pad(op.float ? 'yes' : 'no', 5)}  ${pad((recipe.lowPrecision === 'bf16' ? op.bf16Kernel : op.fp16Kernel).cuda ? 'yes' : 'no', 18)}  ${blocked.has(op.opType) ? 'yes' : ''}`);
  }
  lines.push('');
  lines.push(`recipe: ${recipe.opBlockList.length} op types, ${recipe.nodeBlockList.length} nodes, ${recipe.patterns.length} patterns blocked; keep_io_types ${recipe.keepIoTypes}; target ${recipe.targetEp}; objective ${recipe.objective}; low precision ${recipe.lowPrecision}`);
  const dropped = summary.existingCasts + report.insertedCasts - report.castCount;
  lines.push(`Casts needed: ${report.castCount} (existing ${summary.existingCasts}${dropped ? `, ${dropped} of them identities to drop` : ''}; inserted ${report.insertedCasts})   onnxruntime's convert_float_to_float16: ${report.ortReferenceCasts}`);
  lines.push(`cast bytes: ${report.castBytes}   ${report.lowPrecision} weights: ${(100 * report.fp16WeightShare).toFixed(1)}%   ${report.lowPrecision} FLOPs (estimate): ${(100 * report.fp16FlopShare).toFixed(1)}%`);
  if (report.fp32ComputeNodes.length) {
    lines.push(`fp32 compute: ${report.fp32ComputeNodes.length} blocked nodes run at fp16 I/O, no Casts: their ${recipe.targetEp} fp16 kernels compute in fp32`);
  }
  for (const option of report.requiredSessionOptions) lines.push(`session must set ${option} (without it these norms compute in fp16)`);
  const unbound = unboundDimsText(report.unboundDims);
  if (unbound) lines.push(unbound);
  lines.push(`storage: ${storageSummaryText(report)}`);
  if (report.touchedTensors.length) lines.push(`  in ${report.touchedTensors.length} tensors: ${touchedTensorsText(report.touchedTensors)}`);
  return `${lines.join('\n')}\n`;
}
