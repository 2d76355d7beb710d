// Laid-out units and the plan's decoration turned into @xyflow/react nodes and edges.

import { MarkerType, type Edge } from '@xyflow/react';
import type { LowPrecision, ModelSummary } from '../../core/index';
import type { LayoutResult, ViewUnit } from '../../../workers/layout-api';
import type { Decoration, EdgeDecoration } from './decorate';
import type { FlowNode } from './nodes';
import { labelSize, placeLabels, type LabelRequest } from './label-placement';

export function flowNodes(
  layout: LayoutResult,
  decoration: Decoration | null,
  summary: ModelSummary,
  selectedUnit: string | null,
): FlowNode[] {
  // If/Loop/Scan nodes get an "open" button for their bodies.
  const bodiesOf = new Map<number, number>();
  for (const body of summary.bodies ?? []) bodiesOf.set(body.parentNode, (bodiesOf.get(body.parentNode) ?? 0) + 1);
  return layout.units.map((unit, index): FlowNode => {
    const look = decoration?.units[index];
    const base = {
      id: unit.id,
      position: { x: unit.x, y: unit.y },
      width: unit.width,
      height: unit.height,
      // The size is known from ELK: saying so spares @xyflow/react a measuring pass in which a changed node
      // counts as unmeasured, drops out of the visible set and is re-inserted with all its edges.
      measured: { width: unit.width, height: unit.height },
      parentId: unit.parentId,
      selected: unit.id === selectedUnit,
      draggable: false,
      connectable: false,
    };
    switch (unit.kind) {
      case 'op': {
        const node = summary.nodes[unit.nodeIndex!];
        return {
          ...base,
          type: 'op',
          data: {
            opType: unit.opType ?? node.opType,
            name: node.name,
            label: unit.label,
            precision: look?.precision ?? 'none',
            blocked: look?.blocked ?? false,
            weightsBeyondFp16: node.weightsBeyondFp16,
            nodeIndex: unit.nodeIndex!,
            bodies: bodiesOf.get(unit.nodeIndex!) ?? 0,
          },
        };
      }
      case 'group':
        return {
          ...base,
          type: 'scope',
          data: {
            scopeId: unit.scopeId!,
            label: unit.label,
            nodeCount: unit.nodeCount ?? 0,
            visibleNodeCount: unit.visibleNodeCount ?? 0,
            opMix: unit.opMix ?? '',
            castCount: unit.castCount ?? 0,
            innerBoundaries: look?.innerBoundaries ?? 0,
            mix: look?.mix ?? [0, 0, 0, 0],
            precision: look?.precision ?? 'none',
            blocked: look?.blocked ?? false,
            synthetic: unit.synthetic ?? false,
            body: unit.body ?? false,
          },
        };
      case 'container':
        return {
          ...base,
          type: 'container',
          data: {
            scopeId: unit.scopeId!,
            label: unit.label,
            nodeCount: unit.nodeCount ?? 0,
            blocked: look?.blocked ?? false,
            synthetic: unit.synthetic ?? false,
            body: unit.body ?? false,
          },
        };
      case 'input':
      case 'output':
        return { ...base, type: 'io', data: { label: unit.label, direction: unit.kind } };
    }
  });
}

/** A box whose output goes to more boxes than this (an attention mask read by every layer) broadcasts. */
const BROADCAST_FAN_OUT = 8;

/** "Cast →fp16", "Cast →bf16 ×2 →fp32": what a boundary edge's label says, the low side by its type. */
function castLabel(casts: EdgeDecoration, low: LowPrecision): string {
  const parts = [];
  if (casts.toLow) parts.push(`→${low}${casts.toLow > 1 ? ` ×${casts.toLow}` : ''}`);
  if (casts.toFp32) parts.push(`→fp32${casts.toFp32 > 1 ? ` ×${casts.toFp32}` : ''}`);
  return `Cast ${parts.join(' ')}`;
}

/**
 * Where each Cast label goes: along ELK's route, or for an edge left out of the layout along the line
 * between its handles (xyflow's curve passes through that line's middle), clear of the other labels.
 */
function castLabelSpots(layout: LayoutResult, decoration: Decoration, boxes: Map<string, Box>) {
  const requests: LabelRequest[] = [];
  for (const edge of layout.edges) {
    const casts = decoration.edges.get(edge.id);
    if (!casts) continue;
    let points = edge.points;
    if (!points) {
      const source = boxes.get(edge.source);
      const target = boxes.get(edge.target);
      if (!source || !target) continue;
      points = [source.x + source.width / 2, source.y + source.height, target.x + target.width / 2, target.y];
    }
    requests.push({ id: edge.id, points, ...labelSize(castLabel(casts, decoration.low)) });
  }
  const obstacles = layout.units.filter((unit) => unit.kind !== 'container').map((unit) => boxes.get(unit.id)!);
  return placeLabels(requests, obstacles);
}

export function flowEdges(layout: LayoutResult, decoration: Decoration | null, boxes = absoluteBoxes(layout.units)): Edge[] {
  const fanOut = new Map<string, number>();
  for (const edge of layout.edges) fanOut.set(edge.source, (fanOut.get(edge.source) ?? 0) + 1);
  const spots = decoration ? castLabelSpots(layout, decoration, boxes) : new Map<string, { x: number; y: number }>();
  return layout.edges.map((edge): Edge => {
    const casts = decoration?.edges.get(edge.id);
    const width = edge.multiplicity > 1 ? 1.8 : 1.2;
    // ELK's route where it laid the edge out (RoutedEdge); xyflow's default curve for the rest.
    const route = edge.points ? { type: 'routed', data: { points: edge.points } } : {};
    if (!casts || !decoration) {
      return {
        ...route,
        id: edge.id,
        source: edge.source,
        target: edge.target,
        focusable: false,
        // Broadcast edges are drawn faint so they do not hide the data path.
        className: (fanOut.get(edge.source) ?? 0) > BROADCAST_FAN_OUT ? 'broadcast' : undefined,
        style: { strokeWidth: width },
        markerEnd: { type: MarkerType.Arrow, width: 14, height: 14 },
      };
    }
    const spot = spots.get(edge.id);
    return {
      id: edge.id,
      // Always the routed edge: it draws the label where castLabelSpots put it (and xyflow's curve when
      // ELK gave no route).
      type: 'routed',
      source: edge.source,
      target: edge.target,
      focusable: false,
      className: 'boundary',
      label: castLabel(casts, decoration.low),
      labelBgPadding: [3, 1],
      labelBgBorderRadius: 3,
      zIndex: 2,
      markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: 'var(--cast)' },
      data: { points: edge.points, labelX: spot?.x, labelY: spot?.y, boundary: true },
    };
  });
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Canvas positions of every unit (ELK gives children relative to their frame). */
export function absoluteBoxes(units: readonly ViewUnit[]): Map<string, Box> {
  const boxes = new Map<string, Box>();
  for (const unit of units) {
    const parent = unit.parentId ? boxes.get(unit.parentId) : undefined;
    boxes.set(unit.id, {
      x: unit.x + (parent?.x ?? 0),
      y: unit.y + (parent?.y ?? 0),
      width: unit.width,
      height: unit.height,
    });
  }
  return boxes;
}
