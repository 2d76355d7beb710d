// The boxes drawn on the canvas: one op, a closed scope, an open scope's frame, a graph input/output.

import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { collapseScope } from '../actions/graph-view';
import { togglePattern, toggleNodeBlock } from '../actions/recipe-edits';
import { enterBodies } from './body-actions';
import type { LowPrecision } from '../../core/index';
import type { PlannedPrecision, PrecisionMix } from './decorate';
import { useNodeErrorLevel } from '../precision/overlay';
import { useApp } from '../store';

export interface OpNodeData extends Record<string, unknown> {
  opType: string;
  name: string;
  label: string;
  precision: PlannedPrecision;
  blocked: boolean;
  /** Values of the weights it reads beyond fp16's range (the engine's NodeSummary.weightsBeyondFp16). */
  weightsBeyondFp16: number;
  nodeIndex: number;
  /** If/Loop/Scan: how many bodies it has (0 for every other op). */
  bodies: number;
}

export interface GroupNodeData extends Record<string, unknown> {
  scopeId: string;
  label: string;
  nodeCount: number;
  visibleNodeCount: number;
  opMix: string;
  castCount: number;
  innerBoundaries: number;
  mix: PrecisionMix;
  precision: PlannedPrecision;
  blocked: boolean;
  synthetic: boolean;
  body: boolean;
}

export interface ContainerNodeData extends Record<string, unknown> {
  scopeId: string;
  label: string;
  nodeCount: number;
  blocked: boolean;
  synthetic: boolean;
  body: boolean;
}

export interface IoNodeData extends Record<string, unknown> {
  label: string;
  direction: 'input' | 'output';
}

export type OpFlowNode = Node<OpNodeData, 'op'>;
export type GroupFlowNode = Node<GroupNodeData, 'scope'>;
export type ContainerFlowNode = Node<ContainerNodeData, 'container'>;
export type IoFlowNode = Node<IoNodeData, 'io'>;
export type FlowNode = OpFlowNode | GroupFlowNode | ContainerFlowNode | IoFlowNode;

const PRECISION_TITLE: Record<Exclude<PlannedPrecision, 'low'>, string> = {
  fp32: 'planned fp32',
  mixed: 'mixed precision',
  none: 'no float values',
};

function precisionTitle(precision: PlannedPrecision, low: LowPrecision): string {
  return precision === 'low' ? `planned ${low}` : PRECISION_TITLE[precision];
}

function Handles() {
  return (
    <>
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </>
  );
}

/** A padlock, closed when the node is in the block list (drawn, not a font glyph: headless fonts lack it). */
function LockIcon({ locked }: { locked: boolean }) {
  return (
    <svg width="11" height="12" viewBox="0 0 11 12" aria-hidden>
      <rect x="1" y="5" width="9" height="7" rx="1.5" fill="currentColor" />
      <path
        d={locked ? 'M3 5V3.5a2.5 2.5 0 0 1 5 0V5' : 'M3 5V3.5a2.5 2.5 0 0 1 5 0'}
        transform={locked ? undefined : 'translate(2.6 -0.8)'}
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
      />
    </svg>
  );
}

const OpNode = memo(function OpNode({ id, data }: NodeProps<OpFlowNode>) {
  const isCast = data.opType === 'Cast';
  const errorLevel = useNodeErrorLevel(id);
  // The >fp16 badge warns of clamping, which only fp16 does (bf16 has float32's range).
  const lowPrecision = useApp((state) => state.recipe.lowPrecision);
  return (
    <div
      data-error-level={errorLevel || undefined}
      className={`op-node p-${data.precision}${isCast ? ' cast-op' : ''}`}
      title={`${data.name || '(unnamed)'}\n${data.opType} · ${precisionTitle(data.precision, lowPrecision)}${data.blocked ? ' · in the block list' : ''}`}
      data-precision={data.precision}
    >
      <Handles />
      <span className="op-type">{data.opType}</span>
      <span className="op-name">{data.label !== data.opType ? data.label : ''}</span>
      {data.weightsBeyondFp16 > 0 && data.precision !== 'fp32' && data.precision !== 'none' && lowPrecision === 'fp16' && (
        <span
          className="range-badge"
          data-testid="range-badge"
          title={`${data.weightsBeyondFp16} weight value(s) beyond fp16's range: clamped to ±65504 in fp16. The lock keeps this node in fp32.`}
        >
          &gt;fp16
        </span>
      )}
      {data.bodies > 0 && (
        <button
          type="button"
          className="enter-body nodrag"
          data-testid="enter-body"
          title={`Open the ${data.bodies === 1 ? 'body' : `${data.bodies} bodies`} of this ${data.opType} (or double-click it)`}
          aria-label={`Open the bodies of ${data.name || data.opType}`}
          onClick={(event) => {
            event.stopPropagation();
            enterBodies(data.nodeIndex);
          }}
        >
          ⤵
        </button>
      )}
      <button
        type="button"
        className={`lock nodrag${data.blocked ? ' on' : ''}`}
        aria-label={data.blocked ? `Remove ${data.name} from the fp32 block list` : `Keep ${data.name} in fp32`}
        aria-pressed={data.blocked}
        disabled={!data.name}
        onClick={(event) => {
          event.stopPropagation();
          toggleNodeBlock(data.name);
        }}
      >
        <LockIcon locked={data.blocked} />
      </button>
    </div>
  );
});

export function MixBar({ mix }: { mix: PrecisionMix }) {
  const total = mix[0] + mix[1] + mix[2] + mix[3] || 1;
  const colours = ['var(--fp16)', 'var(--fp32)', 'var(--mixed)', 'var(--none)'];
  return (
    <div className="mix-bar" aria-hidden>
      {mix.map((count, index) =>
        count ? <span key={index} style={{ width: `${(100 * count) / total}%`, background: colours[index] }} /> : null,
      )}
    </div>
  );
}

const GroupNode = memo(function GroupNode({ data }: NodeProps<GroupFlowNode>) {
  return (
    <div
      className={`group-node p-${data.precision}${data.blocked ? ' blocked' : ''}`}
      title={`${data.scopeId}\n${data.nodeCount} nodes (${data.visibleNodeCount} drawn when open) · click to open`}
    >
      <Handles />
      <div className="group-title">
        <span>{data.label}</span>
        {data.innerBoundaries > 0 && (
          <span className="badge" title="Casts the plan puts inside this scope">
            {data.innerBoundaries} cast{data.innerBoundaries > 1 ? 's' : ''}
          </span>
        )}
        <span className="muted">{data.nodeCount}</span>
      </div>
      <MixBar mix={data.mix} />
      <div className="group-meta">
        {data.opMix}
        {data.castCount > 0 ? ` · ${data.castCount} Cast` : ''}
      </div>
    </div>
  );
});

const ContainerNode = memo(function ContainerNode({ data }: NodeProps<ContainerFlowNode>) {
  return (
    <div className={`container-node${data.blocked ? ' blocked' : ''}`}>
      <Handles />
      <div className="container-header">
        <span title={data.scopeId}>{data.label}</span>
        {!data.synthetic && !data.body && (
          <button
            type="button"
            className="nodrag scope-rule"
            aria-pressed={data.blocked}
            aria-label={data.blocked ? `Remove the fp32 rule for ${data.label}` : `Keep ${data.label} in fp32`}
            title={data.blocked ? 'Every node in this scope is kept in fp32 (a scope rule): click to remove it' : 'Keep every node in this scope in fp32 (a scope rule)'}
            onClick={(event) => {
              event.stopPropagation();
              togglePattern(data.scopeId);
            }}
          >
            {data.blocked ? 'fp32 ✓' : 'keep fp32'}
          </button>
        )}
        <button
          type="button"
          className="nodrag"
          aria-label={`Collapse ${data.label}`}
          onClick={(event) => {
            event.stopPropagation();
            void collapseScope(data.scopeId);
          }}
        >
          −
        </button>
      </div>
    </div>
  );
});

const IoNode = memo(function IoNode({ data }: NodeProps<IoFlowNode>) {
  return (
    <div className="io-node" title={`graph ${data.direction}: ${data.label}`}>
      {data.direction === 'input' ? (
        <Handle type="source" position={Position.Bottom} isConnectable={false} />
      ) : (
        <Handle type="target" position={Position.Top} isConnectable={false} />
      )}
      {data.direction === 'input' ? '▶ ' : '◀ '}
      {data.label}
    </div>
  );
});

export const nodeTypes = { op: OpNode, scope: GroupNode, container: ContainerNode, io: IoNode };
