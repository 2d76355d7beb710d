// The precision panel: simulated error per output (wasm, runs everywhere), where values overflow fp16, the
// nodes that add the most error (one click to block), a block-list suggestion for a tolerance, and real
// runs of fp32 vs the converted fp16 model on WebGPU (wasm as the labelled fallback) with timings.

import { useEffect, useMemo, useState } from 'react';
import type { ErrorMetric, OutputComparison } from '../../core/index';
import type { NodeError, PlannedPrecision } from '../../core/index';
import { editRecipe, toggleNodeBlock } from '../actions/recipe-edits';
import { revealNode } from '../actions/graph-view';
import { useApp } from '../store';
import {
  acceptSuggestion,
  detectWebGpu,
  prepareRuns,
  dismissSuggestion,
  installPrecisionEffects,
  runPreview,
  runReal,
  runSuggest,
  setDim,
  setInputFiles,
  setSeed,
  setSeededInputs,
} from './actions';
import { usePrecision } from './store';
import type { TimedRun } from '../../../workers/precision-api';
import './precision.css';
import { ErrorMetricsTable } from '../ErrorMetricsTable';
import { elementTypeName, formatMetric } from '../format';
import { boundShape } from '../../core/index';
import { previewVerdict } from '../../core/index';
import { PREVIEW_STEPS, cancelPreview } from './actions';

const num = formatMetric;

function OutputsTable({ rows, testId }: { rows: OutputComparison[]; testId: string }) {
  return (
    <ErrorMetricsTable
      rows={rows}
      testId={testId}
      className="prec-table"
      badClass="bad"
      titles={{ maxAbs: 'largest |fp32 - fp16|', maxRel: 'largest |fp32 - fp16| / |fp32|', nonFinite: 'inf/NaN where fp32 is finite' }}
    />
  );
}

/** The shapes the next run feeds, from the model's inputs and the sizes above: visible before any run. */
function PlannedInputs() {
  const model = useApp((s) => s.model);
  const dims = usePrecision((s) => s.dims);
  if (!model) return null;
  return (
    <ul className="prec-input-shapes mono prec-small" data-testid="precision-input-shapes">
      {model.summary.inputs.map((name) => {
        const value = model.valuesByName.get(name);
        return (
          <li key={name} data-input={name}>
            <span className="prec-input-name">{name}</span> {elementTypeName(value?.elemType)}[{boundShape(value?.shape, dims, name).join('×')}]
          </li>
        );
      })}
    </ul>
  );
}

function InputsSection() {
  const dimNames = usePrecision((s) => s.dimNames);
  const dims = usePrecision((s) => s.dims);
  const seed = usePrecision((s) => s.seed);
  const files = usePrecision((s) => s.inputFiles);
  const inputs = usePrecision((s) => s.inputs);
  return (
    <div className="prec-inputs">
      <div className="prec-row">
        {dimNames.map((name) => (
          <label key={name} className="prec-field prec-dim" title={name}>
            <span className="mono prec-dim-name">{name}</span>
            <input
              type="number"
              min={1}
              value={dims[name] ?? 1}
              data-testid={`dim-${name}`}
              onChange={(e) => setDim(name, Number(e.target.value))}
            />
          </label>
        ))}
        <label className="prec-field">
          <span>seed</span>
          <input type="number" value={seed} data-testid="precision-seed" onChange={(e) => setSeed(Number(e.target.value))} />
        </label>
      </div>
      <PlannedInputs />
      <div className="prec-row">
        <label className="file-button">
          Own inputs (.npy / .json)
          <input
            type="file"
            multiple
            accept=".npy,.json"
            data-testid="precision-input-files"
            onChange={(e) => void setInputFiles([...(e.target.files ?? [])])}
          />
        </label>
        {files.length > 0 && (
          <>
            <span className="muted mono">{files.join(', ')}</span>
            <button type="button" onClick={setSeededInputs}>
              Use seeded inputs
            </button>
          </>
        )}
      </div>
      {inputs && (
        <div className="muted mono prec-small" data-testid="precision-inputs">
          {inputs.kind === 'seeded' ? 'seeded: ' : 'from files: '}
          {inputs.inputs.map((t) => `${t.name} ${t.type}[${t.dims.join('×')}]`).join(', ')}
        </div>
      )}
    </div>
  );
}

/** Where the fp16 preview found an overflow or a clamp: bf16 would avoid it (one click switches the recipe). */
function Bf16Note() {
  return (
    <span className="prec-bf16-note" data-testid="bf16-note">
      {' '}
      · bf16 keeps fp32's range{' '}
      <button type="button" className="link" onClick={() => editRecipe((current) => ({ ...current, lowPrecision: 'bf16' }))}>
        try bf16
      </button>
    </span>
  );
}

function OverflowSection() {
  const preview = usePrecision((s) => s.preview);
  if (!preview) return null;
  const { values, weights } = preview.overflow;
  const fp16Values = values.filter((v) => v.precision === 'low' || v.precision === 'mixed');
  if (!values.length && !weights.length && !preview.clampedWeights) return null;
  const nodes = useApp.getState().model?.summary.nodes;
  // The sites are measured against fp16's range whatever the recipe's low type (core/precision/preview.ts):
  // under fp16 each one that is converted clamps or becomes inf, and bf16 would avoid it; under bf16 none does.
  const bf16 = preview.lowPrecision === 'bf16';
  const converted = (precision: PlannedPrecision) => precision === 'low' || precision === 'mixed';
  return (
    <div className="prec-overflow" data-testid="precision-overflow" data-weights={weights.length} data-values={fp16Values.length} data-low={preview.lowPrecision}>
      <div className="section-title">beyond fp16's range (±65504)</div>
      {weights.map((w) => (
        <div key={w.name} className={w.convertedToFp16 && !bf16 ? 'bad' : 'muted'} data-testid="overflow-weight">
          weight <span className="mono">{w.name}</span>: {w.count} values up to {num(w.maxAbs)}
          {!w.convertedToFp16 ? ' — kept fp32' : bf16 ? ' — stored in bf16, not clamped: bf16 keeps fp32\'s range' : ' — clamped to ±65504 in fp16'}
          {w.convertedToFp16 && !bf16 && <Bf16Note />}
        </div>
      ))}
      {values.slice(0, 12).map((v) => (
        <div key={v.value} className={v.precision === 'low' || v.precision === 'mixed' ? 'bad' : 'muted'}>
          value <span className="mono">{v.value}</span>
          {v.node >= 0 && nodes ? ` (${nodes[v.node]?.opType})` : ''}: {v.count} elements up to {num(v.refMaxAbs)}
          {!converted(v.precision) ? ' — fp32 here' : bf16 ? ' — finite in bf16: bf16 keeps fp32\'s range' : ' — overflows to inf in fp16'}
          {converted(v.precision) && !bf16 && <Bf16Note />}
          {v.node >= 0 && nodes?.[v.node]?.name && converted(v.precision) && !bf16 && (
            <button type="button" className="link" onClick={() => toggleNodeBlock(nodes[v.node].name)}>
              block
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

/** Which step the preview is on, how long it has run, and a way out. */
function PreviewProgressBar() {
  const progress = usePrecision((s) => s.previewProgress);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!progress) return;
    const timer = setInterval(() => setNow(performance.now()), 250);
    return () => clearInterval(timer);
  }, [progress]);
  if (!progress) return null;
  const seconds = Math.max(0, (now - progress.startedAt) / 1000);
  return (
    <div className="prec-progress" data-testid="preview-progress" data-step={progress.step}>
      <div className="prec-progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={PREVIEW_STEPS.length} aria-valuenow={progress.step}>
        {PREVIEW_STEPS.map((label, index) => (
          <span key={label} className={index < progress.step ? 'done' : index === progress.step ? 'active' : ''} title={label} />
        ))}
      </div>
      <div className="prec-row">
        <span className="prec-small">
          Step {progress.step + 1} of {PREVIEW_STEPS.length}: {PREVIEW_STEPS[progress.step]} · {seconds.toFixed(1)} s
        </span>
        <button type="button" data-testid="preview-cancel" onClick={cancelPreview}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** A failure in words (the engine's explanation), with onnxruntime's raw text folded and wrapped. */
function ErrorBox() {
  const error = usePrecision((s) => s.error);
  if (!error) return null;
  return (
    <div className="prec-error" role="alert" data-testid="precision-error">
      <div>{error.title}</div>
      {error.hint && <div className="prec-small">{error.hint}</div>}
      {error.raw && error.raw !== error.title && (
        <details data-testid="precision-error-raw">
          <summary>onnxruntime's message</summary>
          <pre>{error.raw}</pre>
        </details>
      )}
    </div>
  );
}

/** The preview's answer in words (the engine's previewVerdict), pointing at the top-ranked nodes. */
function VerdictLine() {
  const preview = usePrecision((s) => s.preview);
  const nodes = useApp((s) => s.model?.summary.nodes);
  if (!preview) return null;
  const verdict = previewVerdict(preview.outputs, preview.ranking);
  if (!verdict) return null;
  const low = preview.lowPrecision;
  const measure = verdict.nonFinite
    ? `${verdict.nonFinite} values of ${verdict.output} become inf/NaN in ${low}`
    : `${verdict.output} has cosine ${num(verdict.cosine)} against fp32 (1 is identical)`;
  const text =
    verdict.level === 'ruined'
      ? `${low} ruins this model's output: ${measure}. The converted model would not give the same answers.`
      : verdict.level === 'noticeable'
        ? `${low} changes the output noticeably: ${measure}. Check it on real inputs.`
        : `${low} keeps the output: ${measure}.`;
  // inf/NaN in fp16 where fp32 is finite is an overflow (fp16 tops out at 65504), which bf16 does not have.
  const overflowed = low === 'fp16' && (verdict.nonFinite > 0 || preview.overflow.values.some((v) => v.precision === 'low' || v.precision === 'mixed'));
  return (
    <div className={`prec-verdict ${verdict.level}`} data-testid="preview-verdict" data-level={verdict.level}>
      <div>
        {text}
        {overflowed && <Bf16Note />}
      </div>
      {verdict.culprits.length > 0 && nodes && (
        <div className="prec-small">
          Most of the error comes from{' '}
          {verdict.culprits.map((index, i) => (
            <span key={index}>
              {i > 0 ? ', ' : ''}
              <button type="button" className="link mono" data-testid="verdict-culprit" onClick={() => void revealNode(index)}>
                {nodes[index]?.opType} {nodes[index]?.name}
              </button>
            </span>
          ))}
          : keep them in fp32 (block, below) or let <strong>Suggest</strong> find a block list.
        </div>
      )}
      {verdict.level !== 'fine' && !verdict.culprits.length && (
        <div className="prec-small">Turn on "per node" and run again to see which nodes cause it.</div>
      )}
    </div>
  );
}

function RankedNodes() {
  const preview = usePrecision((s) => s.preview);
  const blocked = useApp((s) => s.recipe.nodeBlockList);
  const byIndex = useMemo(() => new Map((preview?.nodes ?? []).map((n) => [n.index, n] as const)), [preview]);
  if (!preview || !preview.nodes.length) return null;
  const top: NodeError[] = preview.ranking.slice(0, 15).map((i) => byIndex.get(i)!).filter(Boolean);
  return (
    <div data-testid="precision-ranking">
      <div className="section-title" title="the error a node adds (relative L2) times how much the nodes after it amplify it">
        nodes with the most impact on the outputs
      </div>
      {!top.length && <div className="muted">No fp16 node adds measurable error.</div>}
      <ol className="prec-ranking">
        {top.map((node) => (
          <li key={node.index} data-node={node.name} data-op={node.opType} data-added={node.added} data-impact={node.impact}>
            <button type="button" className="link mono" title={`${node.name}\nshow in the graph`} onClick={() => void revealNode(node.index)}>
              {node.opType} <span className="muted">{node.name}</span>
            </button>
            <span className="mono" title={`adds ${num(node.added, 2)} (relative L2); impact ${num(node.impact, 2)}`}>
              {num(node.impact, 2)}
            </span>
            <button
              type="button"
              data-testid="rank-block"
              aria-pressed={blocked.includes(node.name)}
              onClick={() => toggleNodeBlock(node.name)}
            >
              {blocked.includes(node.name) ? 'blocked' : 'block'}
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}

function SuggestSection() {
  const metric = usePrecision((s) => s.metric);
  const tolerance = usePrecision((s) => s.tolerance);
  const pending = usePrecision((s) => s.suggestPending);
  const suggestion = usePrecision((s) => s.suggestion);
  const log = usePrecision((s) => s.suggestLog);
  const [text, setText] = useState(String(tolerance));
  return (
    <div className="prec-suggest">
      <div className="section-title">suggest a block list</div>
      <div className="prec-row">
        <select value={metric} data-testid="suggest-metric" onChange={(e) => usePrecision.setState({ metric: e.target.value as ErrorMetric })}>
          <option value="maxAbs">max abs ≤</option>
          <option value="maxRel">max rel ≤</option>
          <option value="cosine">cosine ≥</option>
        </select>
        <input
          type="text"
          inputMode="decimal"
          value={text}
          data-testid="suggest-tolerance"
          onChange={(e) => {
            setText(e.target.value);
            const value = Number(e.target.value);
            if (Number.isFinite(value) && value > 0) usePrecision.setState({ tolerance: value });
          }}
        />
        <button type="button" data-testid="suggest-run" disabled={pending} onClick={() => void runSuggest()}>
          {pending ? 'Searching…' : 'Suggest'}
        </button>
      </div>
      {pending && <div className="muted prec-small">{log[log.length - 1] ?? ''}</div>}
      {suggestion && (
        <div
          className={`prec-proposal${suggestion.meets ? '' : ' bad'}`}
          data-testid="suggestion"
          data-meets={suggestion.meets}
          data-error={suggestion.error}
          data-added={suggestion.added.length}
          data-casts={suggestion.castCount}
        >
          {suggestion.added.length === 0 ? (
            <div>{suggestion.meets ? 'The current block list already meets the tolerance.' : 'No block list found.'}</div>
          ) : (
            <>
              <div>
                Block {suggestion.added.length} node{suggestion.added.length > 1 ? 's' : ''}: error {num(suggestion.baseError)} →{' '}
                {num(suggestion.error)} ({suggestion.meets ? 'meets' : 'does not meet'} the tolerance), Casts {suggestion.baseCastCount} →{' '}
                {suggestion.castCount}, {suggestion.evaluations} runs.
              </div>
              <ul className="mono prec-small">
                {suggestion.added.slice(0, 20).map((name) => (
                  <li key={name}>{name}</li>
                ))}
                {suggestion.added.length > 20 && <li>… {suggestion.added.length - 20} more</li>}
              </ul>
              <div className="prec-row">
                <button type="button" className="primary" data-testid="suggest-accept" onClick={acceptSuggestion}>
                  Accept
                </button>
                <button type="button" onClick={dismissSuggestion}>
                  Dismiss
                </button>
              </div>
            </>
          )}
        </div>
      )}
    </div>
  );
}

function Timing({ label, run }: { label: string; run: TimedRun }) {
  return (
    <tr data-testid={`real-${label}`} data-ep={run.ep} data-median={run.median} data-p90={run.p90}>
      <td>{label}</td>
      <td>
        <span className={`tag ${run.ep === 'webgpu' ? 'low' : 'fp32'}`}>{run.ep}</span>
        {run.fallbackReason && <div className="prec-small muted">fallback: {run.fallbackReason}</div>}
      </td>
      <td className="mono">{num(run.median)} ms</td>
      <td className="mono">{num(run.p90)} ms</td>
    </tr>
  );
}

function RealRunSection() {
  const webgpu = usePrecision((s) => s.webgpu);
  const pending = usePrecision((s) => s.realPending);
  const progress = usePrecision((s) => s.realProgress);
  const result = usePrecision((s) => s.realRun);
  const runs = usePrecision((s) => s.runs);
  const warmup = usePrecision((s) => s.warmup);
  const wasmOnly = usePrecision((s) => s.wasmOnly);
  useEffect(() => {
    if (!webgpu) void detectWebGpu();
  }, [webgpu]);
  const gpuLine = !webgpu
    ? 'checking WebGPU…'
    : webgpu.status === 'no-api'
      ? 'WebGPU: not available in this browser — runs fall back to wasm'
      : webgpu.status === 'no-adapter'
        ? 'WebGPU: no adapter — runs fall back to wasm'
        : `WebGPU: ${webgpu.adapter}, ${webgpu.shaderF16 ? 'shader-f16 supported' : 'no shader-f16 — the fp16 model falls back to wasm'}`;
  return (
    <div className="prec-real">
      <div className="section-title">real runs</div>
      <div className="prec-small" data-testid="webgpu-status" data-status={webgpu?.status ?? ''} data-f16={webgpu?.shaderF16 ?? ''}>
        {gpuLine}
      </div>
      <div className="prec-row">
        <label className="prec-field">
          <span>runs</span>
          <input type="number" min={1} value={runs} data-testid="real-runs" onChange={(e) => usePrecision.setState({ runs: Math.max(1, Number(e.target.value) | 0) })} />
        </label>
        <label className="prec-field">
          <span>warm-up</span>
          <input type="number" min={0} value={warmup} data-testid="real-warmup" onChange={(e) => usePrecision.setState({ warmup: Math.max(0, Number(e.target.value) | 0) })} />
        </label>
        <label className="prec-check">
          <input type="checkbox" checked={wasmOnly} onChange={(e) => usePrecision.setState({ wasmOnly: e.target.checked })} /> wasm only
        </label>
        <button type="button" data-testid="real-run" disabled={pending} onClick={() => void runReal()}>
          {pending ? `Running ${progress}…` : 'Run fp32 and fp16'}
        </button>
      </div>
      {result && (
        <div data-testid="real-result">
          <table className="prec-table">
            <thead>
              <tr>
                <th>model</th>
                <th>EP</th>
                <th>median</th>
                <th>p90</th>
              </tr>
            </thead>
            <tbody>
              <Timing label="fp32" run={result.fp32} />
              <Timing label="fp16" run={result.fp16} />
            </tbody>
          </table>
          <div className="prec-small muted">
            {result.fp32.runs} runs after {result.fp32.warmup} warm-up runs; error of the real fp16 model against fp32:
          </div>
          <OutputsTable rows={result.outputs} testId="real-outputs" />
        </div>
      )}
    </div>
  );
}

export function PrecisionPanel() {
  const hasModel = useApp((s) => s.model !== null);
  const recipe = useApp((s) => s.recipe);
  const preview = usePrecision((s) => s.preview);
  const previewRecipe = usePrecision((s) => s.previewRecipe);
  const pending = usePrecision((s) => s.previewPending);
  const seq = usePrecision((s) => s.previewSeq);
  const live = usePrecision((s) => s.live);
  const perNode = usePrecision((s) => s.perNode);
  useEffect(() => installPrecisionEffects(), []);
  if (!hasModel) return null;
  const stale = preview && previewRecipe !== JSON.stringify(recipe);
  return (
    <section
      className="precision-panel"
      data-testid="precision-panel"
      data-preview-seq={seq}
      data-pending={pending}
      // The pointer or the keyboard in this panel: runs are likely, so the runtime workers start loading
      // onnxruntime-web now rather than at the click (they no longer start when a model opens).
      onPointerEnter={prepareRuns}
      onFocusCapture={prepareRuns}
    >
      <div className="section-title">precision — simulated {recipe.lowPrecision} error (wasm)</div>
      <InputsSection />
      <div className="prec-row">
        <button type="button" className="primary" data-testid="preview-run" disabled={pending} onClick={() => void runPreview()}>
          {pending ? 'Running…' : preview ? 'Run again' : 'Preview error'}
        </button>
        <label className="prec-check">
          <input type="checkbox" checked={live} onChange={(e) => usePrecision.setState({ live: e.target.checked })} /> live
        </label>
        <label className="prec-check" title="Expose every intermediate value to find the nodes that add error">
          <input type="checkbox" checked={perNode} data-testid="preview-per-node" onChange={(e) => usePrecision.setState({ perNode: e.target.checked })} /> per node
        </label>
      </div>
      <PreviewProgressBar />
      <ErrorBox />
      {preview && (
        <div className={stale ? 'stale' : ''} data-testid="preview-result" data-total-ms={preview.totalMillis}>
          <VerdictLine />
          <OutputsTable rows={preview.outputs} testId="preview-outputs" />
          <div className="prec-small muted">
            fp32 {num(preview.referenceMillis)} ms (reused when 0) · simulated {num(preview.runMillis)} ms · total {num(preview.totalMillis)} ms
            {preview.exposedValues ? ` · ${preview.exposedValues} values compared` : ''}
            {preview.clampedWeights ? ` · ${preview.clampedWeights} weights clamped` : ''}
          </div>
          <OverflowSection />
          <RankedNodes />
        </div>
      )}
      <SuggestSection />
      <RealRunSection />
    </section>
  );
}
