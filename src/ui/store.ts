// All UI state in one zustand store. Components read it through small selectors; side effects (worker
// calls, files) live in actions.ts. Numbers about casts and shares are the engine's, stored as received.

import { create } from 'zustand';
import { DEFAULT_RECIPE, type ModelSummary, type PlanReport, type Recipe, type ValueSummary } from '../core/index';
import type { LayoutResult } from '../../workers/layout-api';
import type { OpenTimings, PresetInfo, WorkerError } from '../../workers/model-api';

export type Theme = 'dark' | 'light';
export type ProgressStage = 'reading' | 'parsing' | 'summarizing' | 'planning' | 'layout';
export type SideTab = 'ops' | 'rules' | 'export';

export interface Progress {
  stage: ProgressStage;
  /** 0..1 within the stage, or null when the stage cannot tell. */
  fraction: number | null;
  fileName: string;
}

export interface Notice {
  kind: 'error' | 'info';
  title: string;
  message: string;
  code?: WorkerError['code'];
}

export interface LoadedModel {
  fileName: string;
  fileSize: number;
  externalFileNames: string[];
  summary: ModelSummary;
  valuesByName: Map<string, ValueSummary>;
  timings: OpenTimings;
  /** Which open this is; results computed for an older model are dropped. */
  seq: number;
}

export interface FocusRequest {
  unitId: string;
  seq: number;
}

export interface AppState {
  theme: Theme;
  progress: Progress | null;
  notice: Notice | null;
  model: LoadedModel | null;
  presets: PresetInfo[];

  recipe: Recipe;
  past: Recipe[];
  future: Recipe[];

  plan: PlanReport | null;
  /**
   * The model (LoadedModel.seq) `plan` was computed for. Components that defer the plan (the canvas) can
   * hold an older plan than the model and layout they draw; they compare this before mixing them.
   */
  planGeneration: number;
  /** Increments each time a plan result lands (tests and the benchmark wait on it). */
  planSeq: number;
  planPending: boolean;

  expanded: string[];
  showFolded: boolean;
  layout: LayoutResult | null;
  layoutPending: boolean;
  selectedUnit: string | null;
  focus: FocusRequest | null;
  sideTab: SideTab;
}

function initialTheme(): Theme {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('castaway-theme') : null;
  if (saved === 'dark' || saved === 'light') return saved;
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export const useApp = create<AppState>(() => ({
  theme: initialTheme(),
  progress: null,
  notice: null,
  model: null,
  presets: [],

  recipe: DEFAULT_RECIPE,
  past: [],
  future: [],

  plan: null,
  planGeneration: 0,
  planSeq: 0,
  planPending: false,

  expanded: [],
  showFolded: false,
  layout: null,
  layoutPending: false,
  selectedUnit: null,
  focus: null,
  sideTab: 'ops',
}));

/** Undo depth; a long session of clicks should not grow without bound. */
const HISTORY_LIMIT = 200;

export function pushRecipe(next: Recipe): void {
  useApp.setState((state) =>
    sameRecipe(state.recipe, next)
      ? state
      : { recipe: next, past: [...state.past, state.recipe].slice(-HISTORY_LIMIT), future: [] },
  );
}

export function undoRecipe(): boolean {
  const { past, recipe, future } = useApp.getState();
  if (!past.length) return false;
  useApp.setState({ recipe: past[past.length - 1], past: past.slice(0, -1), future: [recipe, ...future] });
  return true;
}

export function redoRecipe(): boolean {
  const { past, recipe, future } = useApp.getState();
  if (!future.length) return false;
  useApp.setState({ recipe: future[0], past: [...past, recipe], future: future.slice(1) });
  return true;
}

function sameRecipe(a: Recipe, b: Recipe): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
