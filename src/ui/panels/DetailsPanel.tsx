// The right-hand panel: the selected node, scope or graph input/output, or the model when nothing is.

import { domainLabel } from '../../core/index';
import { enterBodies } from '../graph/body-actions';
import { useMemo } from 'react';
import { precisionName, type CastBoundary, type LowPrecision, type NodeSummary, type PlannedPrecision, type PlanReport, type ValueSummary } from '../../core/index';
import type { ViewUnit } from '../../../workers/layout-api';
import { nodeOfUnitId } from '../../../workers/unit-ids';
import { editRecipe, togglePattern, toggleNodeBlock } from '../actions/recipe-edits';
import { expandScope, collapseScope } from '../actions/graph-view';
import { elementTypeName, formatBytes, formatCount, formatShape } from '../format';
import { MixBar } from '../graph/nodes';
import type { PrecisionMix } from '../graph/decorate';
import { useApp, type LoadedModel } from '../store';
import { Breakable } from './Breakable';

function PrecisionTag({ precision, low }: { precision: PlannedPrecision; low: LowPrecision }) {
  return <span className={`tag ${precision}`}>{precisionName(precision, low)}</span>;
}

function ValueRows({ names, values, casts, low }: { names: string[]; values: Map<string, ValueSummary>; casts: Map<string, CastBoundary>; low: LowPrecision }) {
  return (
    <ul className="value-list">
      {names.map((name, index) => {
        const value = values.get(name);
        const cast = casts.get(name);
        return (
          <li key={`${name}#${index}`}>
            <div className="mono value-name" title={name}>
              {name ? <Breakable text={name} /> : <span className="muted">(none)</span>}
            </div>
            <div className="value-meta">
              <span className="mono">
                {name ? elementTypeName(value?.elemType) : ''}
                {formatShape(value?.shape)}
              </span>
              {value?.isInitializer && <span className="tag">initializer {formatBytes(value.initializerBytes)}</span>}
              {value?.constantBytes !== undefined && <span className="tag">Constant {formatBytes(value.constantBytes)}</span>}
              {cast && <span className="tag cast">Cast → {precisionName(cast.to, low)}</span>}
            </div>
          </li>
        );
      })}
    </ul>
  );
}

/** "coordinate_transformation_mode" with a break opportunity after each underscore, so it wraps at words. */
function breakable(name: string) {
  return name.split(/(?<=_)/).map((part, index) => (
    <span key={index}>
      {index > 0 && <wbr />}
      {part}
    </span>
  ));
}

/** Attributes, when the engine's summary carries them (older summaries do not). */
function Attributes({ node }: { node: NodeSummary }) {
  const attributes = (node as NodeSummary & { attributes?: Record<string, unknown> }).attributes;
  if (!attributes || !Object.keys(attributes).length) return null;
  return (
    <>
      <div className="section-title">attributes</div>
      <dl className="kv attrs">
        {Object.entries(attributes).map(([key, value]) => (
          <div key={key} style={{ display: 'contents' }}>
            <dt className="mono">{breakable(key)}</dt>
            <dd className="mono">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function castsAround(plan: PlanReport | null, node: number): Map<string, CastBoundary> {
  const casts = new Map<string, CastBoundary>();
  for (const boundary of plan?.boundaries ?? []) {
    if (boundary.producer === node || boundary.consumers.includes(node)) casts.set(boundary.value, boundary);
  }
  return casts;
}

/**
 * Weights this node reads that fp16 cannot hold (NodeSummary.weightsBeyondFp16, from the engine): said in
 * words where the plan would clamp them, with the one click that keeps them exact.
 */
function WeightRange({ node, precision, blockedByName, low }: { node: NodeSummary; precision: PlannedPrecision; blockedByName: boolean; low: LowPrecision }) {
  const count = node.weightsBeyondFp16;
  if (!count) return null;
  const converted = precision === 'low' || precision === 'mixed';
  // bf16 has float32's range: the same weights are stored rounded, never clamped.
  if (converted && low === 'bf16') {
    return (
      <div className="weight-range" data-testid="weight-range" data-clamps="false">
        {formatCount(count)} weight value{count === 1 ? '' : 's'} beyond fp16's range, stored in bf16 without clamping: bf16 keeps fp32's range.
      </div>
    );
  }
  const clamps = converted;
  return (
    <div className={`weight-range${clamps ? ' warn' : ''}`} data-testid="weight-range" data-clamps={clamps ? 'true' : 'false'}>
      {clamps ? (
        <>
          <strong>
            {formatCount(count)} weight value{count === 1 ? '' : 's'} beyond fp16's range
          </strong>{' '}
          (|x| &gt; 65,504): in fp16 they are clamped to ±65,504.
          {!blockedByName && node.name && (
            <button type="button" data-testid="keep-fp32-range" onClick={() => toggleNodeBlock(node.name)}>
              Keep this node fp32
            </button>
          )}{' '}
          bf16 keeps fp32's range:{' '}
          <button type="button" data-testid="use-bf16-range" onClick={() => editRecipe((current) => ({ ...current, lowPrecision: 'bf16' }))}>
            Use bf16
          </button>
        </>
      ) : (
        <>
          {formatCount(count)} weight value{count === 1 ? '' : 's'} beyond fp16's range stay exact: this node is fp32.
        </>
      )}
    </div>
  );
}

function OpDetails({ model, nodeIndex }: { model: LoadedModel; nodeIndex: number }) {
  const plan = useApp((state) => state.plan);
  const recipe = useApp((state) => state.recipe);
  const node = model.summary.nodes[nodeIndex];
  const casts = useMemo(() => castsAround(plan, nodeIndex), [plan, nodeIndex]);
  const precision = plan?.nodePrecision[nodeIndex] ?? node.precision;
  const blockedByName = recipe.nodeBlockList.includes(node.name);
  const blockedByOp = recipe.opBlockList.includes(node.opType);
  const fp32Compute = plan?.fp32ComputeNodes.includes(nodeIndex) ?? false;
  return (
    <div className="details" data-testid="details">
      <div className="muted">node #{nodeIndex}</div>
      <h2 className="mono">{node.name ? <Breakable text={node.name} /> : '(unnamed)'}</h2>
      <dl className="kv">
        <dt>op</dt>
        <dd className="mono">
          {node.domain ? `${node.domain}:` : ''}
          {node.opType}
        </dd>
        <dt>planned</dt>
        <dd>
          <PrecisionTag precision={precision} low={recipe.lowPrecision} />
          {blockedByOp && <span className="muted"> · op type in the block list</span>}
          {fp32Compute && (
            <span className="muted" data-testid="details-fp32-compute">
              {' '}
              · blocked, but runs at fp16 I/O: its {recipe.targetEp} fp16 kernel computes in fp32, so no Cast is needed
            </span>
          )}
        </dd>
        {node.foldable && (
          <>
            <dt>folded</dt>
            <dd className="muted">constant or shape computation</dd>
          </>
        )}
      </dl>
      <WeightRange node={node} precision={precision} blockedByName={blockedByName} low={recipe.lowPrecision} />
      <button type="button" data-testid="details-block" disabled={!node.name} onClick={() => toggleNodeBlock(node.name)}>
        {blockedByName ? 'Remove from the fp32 block list' : 'Keep this node in fp32'}
      </button>
      <BodyLinks model={model} nodeIndex={nodeIndex} />
      <div className="section-title">inputs</div>
      <ValueRows names={node.inputs} values={model.valuesByName} casts={casts} low={recipe.lowPrecision} />
      <div className="section-title">outputs</div>
      <ValueRows names={node.outputs} values={model.valuesByName} casts={casts} low={recipe.lowPrecision} />
      <Attributes node={node} />
    </div>
  );
}

/** For an If/Loop/Scan: its bodies, each one click away; for a body node: the body it lives in. */
function BodyLinks({ model, nodeIndex }: { model: LoadedModel; nodeIndex: number }) {
  const { bodies, nodes } = model.summary;
  const own = bodies.filter((body) => body.parentNode === nodeIndex);
  const home = bodies.find((body) => body.graph === nodes[nodeIndex].graph);
  if (!own.length && !home) return null;
  return (
    <dl className="kv">
      {home && (
        <>
          <dt>in body</dt>
          <dd className="mono">
            {nodes[home.parentNode]?.name || nodes[home.parentNode]?.opType} · {home.attribute}
          </dd>
        </>
      )}
      {own.length > 0 && (
        <>
          <dt>bodies</dt>
          <dd>
            {own.map((body) => (
              <button key={body.scope} type="button" onClick={() => enterBodies(nodeIndex)} title={`${body.nodeCount} nodes`}>
                {body.attribute} ({body.nodeCount})
              </button>
            ))}
          </dd>
        </>
      )}
    </dl>
  );
}

function ScopeDetails({ model, unit }: { model: LoadedModel; unit: ViewUnit }) {
  const plan = useApp((state) => state.plan);
  const layout = useApp((state) => state.layout);
  const patterns = useApp((state) => state.recipe.patterns);
  const scopeId = unit.scopeId!;
  const { mix, ops } = useMemo(() => {
    const counts: PrecisionMix = [0, 0, 0, 0];
    const byOp = new Map<string, number>();
    const order = { low: 0, fp32: 1, mixed: 2, none: 3 } as const;
    // A synthetic chunk has no name prefix: its nodes are the ones drawn in its box.
    const unitIndex = layout ? layout.units.findIndex((entry) => entry.id === unit.id) : -1;
    model.summary.nodes.forEach((node, index) => {
      const inside = unit.synthetic ? layout?.unitOfNode[index] === unitIndex : node.path.startsWith(scopeId);
      if (!inside) return;
      counts[order[plan?.nodePrecision[index] ?? 'none']]++;
      byOp.set(node.opType, (byOp.get(node.opType) ?? 0) + 1);
    });
    return { mix: counts, ops: [...byOp].sort((a, b) => b[1] - a[1]) };
  }, [model, plan, scopeId, unit, layout]);
  const blocked = patterns.includes(scopeId);
  return (
    <div className="details" data-testid="details">
      <div className="muted">{unit.kind === 'group' ? 'closed scope' : 'open scope'}</div>
      <h2 className="mono">
        <Breakable text={scopeId} />
      </h2>
      <dl className="kv">
        <dt>nodes</dt>
        <dd>{formatCount(unit.nodeCount ?? 0)}</dd>
        <dt>fp16 / fp32</dt>
        <dd>
          {formatCount(mix[0])} / {formatCount(mix[1])}
          {mix[2] ? ` · ${formatCount(mix[2])} mixed` : ''}
        </dd>
      </dl>
      <MixBar mix={mix} />
      <div className="row" style={{ marginTop: 10 }}>
        {unit.kind === 'group' ? (
          <button type="button" onClick={() => expandScope(scopeId)}>
            Open
          </button>
        ) : (
          <button type="button" onClick={() => void collapseScope(scopeId)}>
            Close
          </button>
        )}
        {!unit.synthetic && !unit.body && (
          <button type="button" data-testid="details-block-scope" onClick={() => togglePattern(scopeId)}>
            {blocked ? 'Remove scope rule' : 'Keep scope in fp32'}
          </button>
        )}
      </div>
      <div className="section-title">op types inside</div>
      <table className="value-table">
        <tbody>
          {ops.slice(0, 30).map(([op, count]) => (
            <tr key={op}>
              <td className="mono">{op}</td>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function IoDetails({ model, unit }: { model: LoadedModel; unit: ViewUnit }) {
  const value = model.valuesByName.get(unit.label);
  return (
    <div className="details" data-testid="details">
      <div className="muted">graph {unit.kind}</div>
      <h2 className="mono">
        <Breakable text={unit.label} />
      </h2>
      <dl className="kv">
        <dt>type</dt>
        <dd className="mono">{elementTypeName(value?.elemType)}</dd>
        <dt>shape</dt>
        <dd className="mono">{formatShape(value?.shape) || '?'}</dd>
        <dt>readers</dt>
        <dd>{value?.consumers.length ?? 0}</dd>
      </dl>
    </div>
  );
}

function ModelOverview({ model }: { model: LoadedModel }) {
  const { summary, timings } = model;
  return (
    <div className="details" data-testid="details">
      <div className="muted">model</div>
      <h2 className="mono">
        <Breakable text={model.fileName} />
      </h2>
      <dl className="kv">
        <dt>size</dt>
        <dd>
          {formatBytes(model.fileSize)}
          {model.externalFileNames.length ? ` + ${model.externalFileNames.length} data file(s)` : ''}
        </dd>
        <dt>nodes</dt>
        <dd>{formatCount(summary.nodeCount)}</dd>
        <dt>weights</dt>
        <dd data-testid="model-weights" title="Initializers and the tensors of Constant nodes">
          {formatBytes(summary.weightBytes)}
        </dd>
        <dt>Casts in it</dt>
        <dd>{formatCount(summary.existingCasts)}</dd>
        <dt>IR / opsets</dt>
        <dd className="mono">
          {summary.irVersion} /{' '}
          {Object.entries(summary.opsets)
            .map(([domain, version]) => `${domainLabel(domain)} ${version}`)
            .join(', ')}
        </dd>
        <dt>producer</dt>
        <dd>{summary.producer || '—'}</dd>
        <dt>inputs</dt>
        <dd className="mono">{summary.inputs.join(', ')}</dd>
        <dt>outputs</dt>
        <dd className="mono">{summary.outputs.join(', ')}</dd>
        <dt>opened in</dt>
        <dd>
          parse {timings.parseMillis.toFixed(0)} ms · summary {timings.summarizeMillis.toFixed(0)} ms · plan{' '}
          {timings.planMillis.toFixed(0)} ms
        </dd>
      </dl>
      <p className="muted" style={{ fontSize: 12 }}>
        Click a box to see it here. Closed scopes open on click; arrow keys move along the edges; B keeps the
        selection in fp32; Ctrl+Z / Ctrl+Shift+Z undo and redo.
      </p>
    </div>
  );
}

export function DetailsPanel() {
  const model = useApp((state) => state.model);
  const selected = useApp((state) => state.selectedUnit);
  const unit = useApp((state) => state.layout?.units.find((entry) => entry.id === state.selectedUnit));
  if (!model) return null;
  const nodeIndex = nodeOfUnitId(selected);
  if (nodeIndex !== null) return <OpDetails model={model} nodeIndex={nodeIndex} />;
  if (unit && (unit.kind === 'group' || unit.kind === 'container')) return <ScopeDetails model={model} unit={unit} />;
  if (unit && (unit.kind === 'input' || unit.kind === 'output')) return <IoDetails model={model} unit={unit} />;
  return <ModelOverview model={model} />;
}
