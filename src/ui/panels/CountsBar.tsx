// The live numbers: every one is a PlanReport field, shown as the engine computed it.

import { storageSummaryText, touchedTensorsText } from '../../core/index';
import { formatBytes, formatCount, formatPercent } from '../format';
import { useApp } from '../store';

function Count(props: { label: string; value: string; testId: string; primary?: boolean; title?: string; share?: number }) {
  return (
    <div className={`count${props.primary ? ' primary' : ''}`} title={props.title}>
      <div className="value" data-testid={props.testId}>
        {props.value}
      </div>
      <div className="label">{props.label}</div>
      {props.share !== undefined && (
        <div className="share-bar">
          <span style={{ width: `${Math.max(0, Math.min(1, props.share)) * 100}%` }} />
        </div>
      )}
    </div>
  );
}

export function CountsBar() {
  const plan = useApp((state) => state.plan);
  const planSeq = useApp((state) => state.planSeq);
  const pending = useApp((state) => state.planPending);
  const existing = useApp((state) => state.model?.summary.existingCasts ?? 0);
  if (!plan) return null;
  return (
    <div className="counts" data-testid="counts" data-plan-seq={planSeq} data-pending={pending ? 'true' : 'false'}>
      <Count
        primary
        testId="cast-count"
        label={`Casts · ${formatCount(plan.insertedCasts)} inserted`}
        value={formatCount(plan.castCount)}
        title={
          `${formatCount(plan.insertedCasts)} inserted by the plan, ${formatCount(existing)} already in the model` +
          (plan.fp32ComputeNodes.length
            ? `; ${formatCount(plan.fp32ComputeNodes.length)} blocked nodes need none: they run at fp16 I/O and compute in fp32 on CUDA`
            : '')
        }
      />
      {plan.fp32ComputeNodes.length > 0 && (
        <Count
          testId="fp32-compute"
          label="fp32 compute, fp16 I/O"
          value={formatCount(plan.fp32ComputeNodes.length)}
          title="Blocked norms and Softmax that run at fp16 I/O with no Cast, because their CUDA fp16 kernel computes in fp32 (docs/fp32-compute.md)"
        />
      )}
      {plan.requiredSessionOptions.length > 0 && (
        // The model relies on a session option it cannot carry: without it those norms compute in fp16.
        <Count
          testId="required-session-options"
          label="session must set"
          value={plan.requiredSessionOptions.map((o) => o.replace(/^CUDA EP: /, '')).join(', ')}
          title={`${plan.requiredSessionOptions.join('; ')}: the blocked SkipLayerNormalization nodes run at fp16 I/O and compute in fp32 only in sessions with this CUDA execution-provider option; without it onnxruntime still runs the model, with fp16 statistics (docs/fp32-compute.md)`}
        />
      )}
      <Count
        testId="ort-cast-count"
        label="onnxruntime's tool"
        value={formatCount(plan.ortReferenceCasts)}
        title="What onnxruntime's convert_float_to_float16 leaves for the same block list"
      />
      <Count testId="cast-bytes" label="cast bytes" value={formatBytes(plan.castBytes)} title="Bytes moved by the inserted Casts, dims bound per the recipe" />
      <Count testId="fp16-weights" label={`${plan.lowPrecision} weights`} value={formatPercent(plan.fp16WeightShare)} share={plan.fp16WeightShare} />
      <Count testId="fp16-flops" label={`${plan.lowPrecision} FLOPs`} value={formatPercent(plan.fp16FlopShare)} share={plan.fp16FlopShare} />
      <Count
        testId="clamped"
        label="clamped / raised"
        value={`${formatCount(plan.clampedValues)} / ${formatCount(plan.raisedValues)}`}
        title={
          (plan.lowPrecision === 'bf16'
            ? storageSummaryText(plan)
            : "Stored values outside fp16's range (clamped to ±65504) or so small they would round to 0 (raised to ±2^-24, as onnxruntime's tool does)") +
          (plan.touchedTensors.length ? `: ${touchedTensorsText(plan.touchedTensors)}` : '')
        }
      />
      <Count testId="plan-ms" label="plan" value={`${plan.planMillis.toFixed(1)} ms`} />
    </div>
  );
}
