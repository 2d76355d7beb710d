// An edge drawn along ELK's route: ELK places edges between the layers so they pass around boxes; a curve
// from handle to handle (xyflow's default) cuts straight through whatever lies between. Bends are rounded
// a little so the route reads as one line; the label sits on the route's longest segment, where labels of
// neighbouring edges are least likely to meet.

import { BaseEdge, getBezierPath, type Edge, type EdgeProps } from '@xyflow/react';
import { memo } from 'react';

/**
 * points: ELK's route (absent for an edge left out of the layout, which keeps xyflow's curve);
 * labelX/labelY: where label-placement.ts put the Cast label, clear of the other labels.
 */
type RoutedEdgeData = { points?: number[]; labelX?: number; labelY?: number } & Record<string, unknown>;
type RoutedFlowEdge = Edge<RoutedEdgeData, 'routed'>;

/** Corner radius at a bend, at most half of either adjoining segment. */
const RADIUS = 8;

function routePath(points: readonly number[]): { path: string; labelX: number; labelY: number } {
  const count = points.length / 2;
  const x = (i: number) => points[2 * i];
  const y = (i: number) => points[2 * i + 1];
  let path = `M ${x(0)},${y(0)}`;
  let longest = -1;
  let labelX = x(0);
  let labelY = y(0);
  for (let i = 1; i < count; i++) {
    const length = Math.hypot(x(i) - x(i - 1), y(i) - y(i - 1));
    if (length > longest) {
      longest = length;
      labelX = (x(i) + x(i - 1)) / 2;
      labelY = (y(i) + y(i - 1)) / 2;
    }
    if (i === count - 1) {
      path += ` L ${x(i)},${y(i)}`;
      break;
    }
    const next = Math.hypot(x(i + 1) - x(i), y(i + 1) - y(i));
    const r = Math.min(RADIUS, length / 2, next / 2);
    const before = length ? r / length : 0;
    const after = next ? r / next : 0;
    path += ` L ${x(i) - (x(i) - x(i - 1)) * before},${y(i) - (y(i) - y(i - 1)) * before}`;
    path += ` Q ${x(i)},${y(i)} ${x(i) + (x(i + 1) - x(i)) * after},${y(i) + (y(i + 1) - y(i)) * after}`;
  }
  return { path, labelX, labelY };
}

const RoutedEdge = memo(function RoutedEdge(props: EdgeProps<RoutedFlowEdge>) {
  const points = props.data?.points;
  const route = points ? routePath(points) : curve(props);
  const path = route.path;
  const labelX = props.data?.labelX ?? route.labelX;
  const labelY = props.data?.labelY ?? route.labelY;
  return (
    <BaseEdge
      id={props.id}
      path={path}
      markerEnd={props.markerEnd}
      style={props.style}
      label={props.label}
      labelX={labelX}
      labelY={labelY}
      labelStyle={props.labelStyle}
      labelShowBg={props.labelShowBg}
      labelBgStyle={props.labelBgStyle}
      labelBgPadding={props.labelBgPadding}
      labelBgBorderRadius={props.labelBgBorderRadius}
    />
  );
});

function curve(props: EdgeProps<RoutedFlowEdge>): { path: string; labelX: number; labelY: number } {
  const [path, labelX, labelY] = getBezierPath(props);
  return { path, labelX, labelY };
}

export const edgeTypes = { routed: RoutedEdge };
