// The graph canvas: laid-out boxes coloured by the plan, boundaries marked, a minimap, keyboard moves.

import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Node,
} from '@xyflow/react';
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { collapseScope, expandScope, focusUnit, selectUnit } from '../actions/graph-view';
import { togglePattern, toggleNodeBlock } from '../actions/recipe-edits';
import { useApp } from '../store';
import type { PlannedPrecision } from '../../core/index';
import { decorate } from './decorate';
import { absoluteBoxes, flowEdges, flowNodes, type Box } from './flow-elements';
import type { LayoutResult } from '../../../workers/layout-api';
import { nextUnit, type Direction } from './keyboard';
import { nodeTypes, type FlowNode } from './nodes';
import { edgeTypes } from './RoutedEdge';
import { GraphToolbar } from './GraphToolbar';
import { BodyCrumbs } from './BodyCrumbs';
import { enterBodies } from './body-actions';

const ARROWS: Record<string, Direction> = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

const MINIMAP_COLOURS: Record<PlannedPrecision, string> = {
  low: 'var(--fp16)',
  fp32: 'var(--fp32)',
  mixed: 'var(--mixed)',
  none: 'var(--none)',
};

function minimapColour(node: Node): string {
  const flow = node as FlowNode;
  switch (flow.type) {
    case 'op':
      return MINIMAP_COLOURS[flow.data.precision];
    case 'scope': {
      const [low, fp32, mixed] = flow.data.mix;
      return MINIMAP_COLOURS[fp32 + mixed === 0 ? (low ? 'low' : 'none') : low + mixed === 0 ? 'fp32' : 'mixed'];
    }
    case 'container':
      return 'transparent';
    default:
      return 'var(--muted)';
  }
}

/** Below this zoom box labels are unreadable: frame the top of the graph instead of all of it. */
const MIN_READABLE_ZOOM = 0.45;
const OPENING_ZOOM = 0.8;

/** The x to centre on when framing the top of a graph: its inputs, or its middle. */
function topCentre(layout: LayoutResult, boxes: Map<string, Box>): number {
  const inputs = layout.units.filter((unit) => unit.kind === 'input').map((unit) => boxes.get(unit.id)!);
  if (!inputs.length) return layout.width / 2;
  const left = Math.min(...inputs.map((box) => box.x));
  const right = Math.max(...inputs.map((box) => box.x + box.width));
  return (left + right) / 2;
}

/** The least zoom a tall graph opens at to show its whole width: its text is still legible there. */
const OPENING_MIN_ZOOM = 0.6;

/**
 * How a tall graph opens, framed at its top: at the opening zoom, or less (down to OPENING_MIN_ZOOM) when
 * that shows its whole width, centred (centring on its inputs cut the frames on its left: "ayer_norm").
 * A graph wider than that is centred on its inputs, but never so far that empty canvas shows on one side
 * while the graph is cut on the other.
 */
function openingView(layout: LayoutResult, boxes: Map<string, Box>, width: number): { x: number; zoom: number } {
  const margin = 16;
  const zoom = Math.max(OPENING_MIN_ZOOM, Math.min(OPENING_ZOOM, (width - 2 * margin) / layout.width));
  const graphWidth = layout.width * zoom;
  if (graphWidth + 2 * margin <= width + 0.5) return { x: (width - graphWidth) / 2, zoom };
  const centred = width / 2 - topCentre(layout, boxes) * zoom;
  return { x: Math.min(margin, Math.max(width - graphWidth - margin, centred)), zoom };
}

/**
 * Hands @xyflow/react the same object for every node or edge whose look did not change, so a re-plan
 * that recolours three boxes does not make it re-process two hundred.
 */
function useStableElements<T extends { id: string }>(items: T[], layout: unknown, signature: (item: T) => string): T[] {
  const cache = useRef<{ layout: unknown; byId: Map<string, { signature: string; item: T }>; last: T[] }>({
    layout: null,
    byId: new Map(),
    last: [],
  });
  return useMemo(() => {
    if (cache.current.layout !== layout) cache.current = { layout, byId: new Map(), last: [] };
    const { byId, last } = cache.current;
    let changed = items.length !== last.length;
    const next = items.map((item, index) => {
      const sign = signature(item);
      const cached = byId.get(item.id);
      if (cached && cached.signature === sign) {
        if (last[index] !== cached.item) changed = true;
        return cached.item;
      }
      byId.set(item.id, { signature: sign, item });
      changed = true;
      return item;
    });
    // Nothing on the canvas changed (an edit that only touched hidden nodes): keep the very same array.
    if (!changed) return last;
    cache.current.last = next;
    return next;
  }, [items, layout]);
}

/** An element's size, followed as it changes. */
function useSize(ref: RefObject<HTMLElement | null>): { width: number; height: number } {
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setSize({ width: element.clientWidth, height: element.clientHeight }));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

function GraphCanvas() {
  const layout = useApp((state) => state.layout);
  // The counts bar shows a new plan at once; the canvas recolours in a deferred render right after, so a
  // big view never holds the numbers back.
  const plan = useDeferredValue(useApp((state) => state.plan));
  const planGeneration = useDeferredValue(useApp((state) => state.planGeneration));
  const planSeq = useDeferredValue(useApp((state) => state.planSeq));
  const recipe = useDeferredValue(useApp((state) => state.recipe));
  const model = useApp((state) => state.model);
  const selectedUnit = useApp((state) => state.selectedUnit);
  const focus = useApp((state) => state.focus);
  const theme = useApp((state) => state.theme);
  const layoutPending = useApp((state) => state.layoutPending);
  const flow = useReactFlow();
  const [readySeq, setReadySeq] = useState(0);
  const handledFocus = useRef(0);
  const paneRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLDivElement>(null);
  const stripRef = useRef<HTMLDivElement>(null);
  const strip = useSize(stripRef);

  const summary = model?.summary;
  // Right after a model switch the deferred plan is still the previous model's: draw the new graph
  // undecorated for that one render rather than map one model's node indices onto another's boxes.
  const sameModel = model !== null && layout?.generation === model.seq && planGeneration === model.seq;
  const decoration = useMemo(
    () => (layout && plan && summary && sameModel ? decorate(layout, plan, summary, recipe) : null),
    [layout, plan, summary, recipe, sameModel],
  );
  const nodes = useStableElements(
    useMemo(() => (layout && summary ? flowNodes(layout, decoration, summary, selectedUnit) : []), [layout, decoration, summary, selectedUnit]),
    layout,
    (node) => `${node.selected ? 1 : 0}${JSON.stringify(node.data)}`,
  );
  const boxes = useMemo(() => (layout ? absoluteBoxes(layout.units) : new Map<string, Box>()), [layout]);
  const edges = useStableElements(
    useMemo(() => (layout ? flowEdges(layout, decoration, boxes) : []), [layout, decoration, boxes]),
    layout,
    // A label moves when a new plan puts labels next to it: its spot is part of its look.
    (edge) => `${edge.className ?? ''}|${String(edge.label ?? '')}|${String(edge.data?.labelX ?? '')},${String(edge.data?.labelY ?? '')}`,
  );

  // Frame all of the graph when that stays readable, else its top (where the inputs are) at a readable
  // zoom: fitting a tall graph whole shrinks it to a one-pixel column (the opening view, F and the fit button).
  const frameGraph = useCallback(
    (duration: number) => {
      if (!layout) return Promise.resolve(false);
      const pane = canvasRef.current;
      const width = pane?.clientWidth || 800;
      const height = pane?.clientHeight || 600;
      const fitZoom = Math.min(width / (layout.width + 40), height / (layout.height + 40));
      return fitZoom >= MIN_READABLE_ZOOM
        ? flow.fitView({ padding: 0.06, maxZoom: 1.1, duration })
        : flow.setViewport({ ...openingView(layout, boxes, width), y: 16 }, { duration });
    },
    [layout, boxes, flow],
  );

  // A new model: frame it, then say the graph is ready.
  useEffect(() => {
    if (!layout || !model || readySeq === model.seq) return;
    const frame = requestAnimationFrame(() => {
      void frameGraph(0).then(() => {
        performance.mark('castaway:ready');
        setReadySeq(model.seq);
      });
    });
    return () => cancelAnimationFrame(frame);
  }, [layout, model, frameGraph, readySeq]);

  // Centre on a unit that search, the keyboard or an expand asked for, once the layout that holds it lands.
  useEffect(() => {
    // While a new layout is on its way the old one may still hold the unit, at its old place: wait for it.
    if (!focus || focus.seq === handledFocus.current || !layout || layoutPending) return;
    const box = boxes.get(focus.unitId);
    if (!box) {
      if (!layoutPending) handledFocus.current = focus.seq;
      return;
    }
    handledFocus.current = focus.seq;
    const zoom = Math.max(flow.getZoom(), 0.7);
    void flow.setCenter(box.x + box.width / 2, box.y + Math.min(box.height / 2, 220), { zoom, duration: 250 });
  }, [focus, layout, boxes, flow, layoutPending]);

  const onKeyDown = useCallback(
    (event: KeyboardEvent<HTMLDivElement>) => {
      if (!layout || event.target !== event.currentTarget) return;
      const direction = ARROWS[event.key];
      if (direction) {
        event.preventDefault();
        const next = nextUnit(layout, boxes, selectedUnit, direction);
        if (next) focusUnit(next);
        return;
      }
      const unit = layout.units.find((entry) => entry.id === selectedUnit);
      switch (event.key) {
        case 'Enter':
          if (unit?.kind === 'group' && unit.scopeId) expandScope(unit.scopeId);
          else if (unit?.kind === 'container' && unit.scopeId) void collapseScope(unit.scopeId);
          break;
        case ' ':
        case 'b':
          event.preventDefault();
          if (unit?.kind === 'op' && unit.nodeIndex !== undefined) toggleNodeBlock(summary?.nodes[unit.nodeIndex]?.name ?? '');
          else if ((unit?.kind === 'group' || unit?.kind === 'container') && unit.scopeId && !unit.synthetic && !unit.body) togglePattern(unit.scopeId);
          break;
        case 'Escape':
          selectUnit(null);
          break;
        case 'f':
          void frameGraph(200);
          break;
        case '+':
        case '=':
          void flow.zoomIn({ duration: 120 });
          break;
        case '-':
          void flow.zoomOut({ duration: 120 });
          break;
      }
    },
    [layout, boxes, selectedUnit, summary, flow, frameGraph],
  );

  const ready = model !== null && readySeq === model.seq;
  return (
    <div
      ref={paneRef}
      className="graph-pane"
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="graph"
      data-ready={ready ? 'true' : 'false'}
      data-units={layout?.units.length ?? 0}
      data-boundary-edges={decoration?.edges.size ?? 0}
      data-plan-seq={planSeq}
      aria-label="Model graph. Arrow keys move between boxes, Enter opens or closes a scope, B keeps the selection in fp32."
    >
      <div className="graph-canvas" ref={canvasRef}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onlyRenderVisibleElements
          minZoom={0.03}
          maxZoom={2.5}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable
          disableKeyboardA11y
          deleteKeyCode={null}
          selectionKeyCode={null}
          multiSelectionKeyCode={null}
          colorMode={theme}
          onNodeClick={(_, node) => {
            // A closed scope opens on click; anything else becomes the selection.
            const flowNode = node as FlowNode;
            if (flowNode.type === 'scope') expandScope(flowNode.data.scopeId);
            else selectUnit(node.id);
            paneRef.current?.focus({ preventScroll: true });
          }}
          onNodeDoubleClick={(_, node) => {
            // Double-click on an If/Loop/Scan opens its bodies.
            const flowNode = node as FlowNode;
            if (flowNode.type === 'op' && flowNode.data.bodies > 0) enterBodies(flowNode.data.nodeIndex);
          }}
          onPaneClick={() => selectUnit(null)}
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={22} size={1} />
          <Controls showInteractive={false} showFitView={false}>
            <ControlButton onClick={() => void frameGraph(200)} title="Fit the graph (F)" aria-label="Fit the graph" data-testid="fit-graph">
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden>
                <path d="M1 5V1h4M11 1h4v4M15 11v4h-4M5 15H1v-4" fill="none" stroke="currentColor" strokeWidth="1.6" />
              </svg>
            </ControlButton>
          </Controls>
        </ReactFlow>
        {layoutPending && <div className="graph-busy">laying out…</div>}
      </div>
      {/* The minimap has a strip of its own beside the canvas, as an editor's minimap has: laid over the
          canvas it hid the boxes of the corner it sat in. Tall and narrow, like the graphs it shows. */}
      <div className="minimap-strip" ref={stripRef} data-testid="minimap-strip">
        {strip.height > 0 && (
          <MiniMap
            position="top-left"
            style={{ width: strip.width, height: strip.height, margin: 0 }}
            pannable
            zoomable
            nodeColor={minimapColour}
            nodeStrokeWidth={0}
            maskColor={theme === 'dark' ? 'rgba(0, 0, 0, 0.45)' : 'rgba(60, 80, 110, 0.12)'}
          />
        )}
      </div>
    </div>
  );
}

export function GraphView() {
  return (
    <ReactFlowProvider>
      <GraphToolbar />
      <BodyCrumbs />
      <GraphCanvas />
    </ReactFlowProvider>
  );
}
