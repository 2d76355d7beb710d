// What the precision panel does: point the precision service at the open model, run previews (again on each
// block-list change when live), search for a block list, run both models for timings. The block list
// itself is the app's: accepting a suggestion is one undoable edit through the app's own action.

import * as Comlink from 'comlink';
import type { Recipe } from '../../core/index';
import { errorLevel } from '../../core/index';
import type { NamedBytes } from '../../../workers/model-api';
import type { WorkerError } from '../../../workers/outcome';
import type { PrecisionWorkerApi } from './worker';
import { precisionClient } from './worker';
import { editRecipe } from '../actions';
import { useApp } from '../store';
import { usePrecision } from './store';

function fail(title: string, error: WorkerError | unknown): void {
  const message =
    error && typeof error === 'object' && 'message' in error ? String((error as { message: unknown }).message) : String(error);
  usePrecision.setState({ error: `${title}: ${message}` });
}

/** Defaults for the model's symbolic dims: batch-like dims 1, the rest (sequence, ...) 16. */
function defaultDims(names: string[]): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, /batch/i.test(name) ? 1 : 16]));
}

let pendingFiles: NamedBytes[] = [];

/** Whether the model the precision worker computed on is still the one on screen (else drop the result). */
function stillCurrent(): boolean {
  return usePrecision.getState().modelSeq === useApp.getState().model?.seq;
}

/** Makes sure the precision worker holds the app's current model and the chosen inputs. */
async function ensureReady(client: Comlink.Remote<PrecisionWorkerApi>): Promise<boolean> {
  const model = useApp.getState().model;
  if (!model) return false;
  if (usePrecision.getState().modelSeq !== model.seq) {
    const opened = await client.open();
    if (!opened.ok) {
      fail('The precision worker could not open the model', opened.error);
      return false;
    }
    pendingFiles = [];
    usePrecision.setState({
      modelSeq: model.seq,
      info: opened.value,
      dims: defaultDims(opened.value.symbolicDims),
      inputFiles: [],
      inputsDirty: true,
      preview: null,
      previewRecipe: null,
      levels: null,
      suggestion: null,
      suggestLog: [],
      realRun: null,
    });
  }
  const state = usePrecision.getState();
  if (state.inputsDirty) {
    const request = pendingFiles.length
      ? { kind: 'files' as const, dims: state.dims, files: pendingFiles }
      : { kind: 'seeded' as const, dims: state.dims, seed: state.seed };
    const inputs = await client.setInputs(request);
    if (!inputs.ok) {
      fail('The inputs do not fit the model', inputs.error);
      return false;
    }
    usePrecision.setState({ inputs: inputs.value, inputsDirty: false });
  }
  return true;
}

export function setDim(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) return;
  usePrecision.setState((state) => ({ dims: { ...state.dims, [name]: value }, inputsDirty: true }));
}

export function setSeed(seed: number): void {
  if (!Number.isInteger(seed)) return;
  usePrecision.setState({ seed, inputsDirty: true });
}

export async function setInputFiles(files: readonly File[]): Promise<void> {
  pendingFiles = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
  usePrecision.setState({ inputFiles: files.map((f) => f.name), inputsDirty: true });
}

export function setSeededInputs(): void {
  pendingFiles = [];
  usePrecision.setState({ inputFiles: [], inputsDirty: true });
}

let previewRunning = false;

/** Runs the preview for the app's current recipe; edits during a run coalesce into one more run. */
export async function runPreview(): Promise<void> {
  if (previewRunning) return;
  previewRunning = true;
  usePrecision.setState({ previewPending: true, error: null });
  try {
    const client = precisionClient();
    for (;;) {
      if (!(await ensureReady(client))) break;
      const { recipe } = useApp.getState();
      const key = JSON.stringify(recipe);
      const { perNode } = usePrecision.getState();
      const outcome = await client.preview(recipe, perNode);
      if (!stillCurrent()) break;
      if (!outcome.ok) {
        fail('The preview failed', outcome.error);
        break;
      }
      const plan = outcome.value;
      const levels = new Uint8Array(useApp.getState().model?.summary.nodes.length ?? 0);
      for (const node of plan.nodes) levels[node.index] = errorLevel(node.added);
      usePrecision.setState((state) => ({ preview: plan, previewRecipe: key, levels, previewSeq: state.previewSeq + 1 }));
      const now = useApp.getState();
      if (JSON.stringify(now.recipe) === key && !usePrecision.getState().inputsDirty) break;
    }
  } catch (error) {
    fail('The preview failed', error);
  } finally {
    previewRunning = false;
    usePrecision.setState({ previewPending: false });
  }
}

export async function runSuggest(): Promise<void> {
  usePrecision.setState({ suggestPending: true, suggestion: null, suggestLog: [], error: null });
  try {
    const client = precisionClient();
    if (!(await ensureReady(client))) return;
    const { metric, tolerance } = usePrecision.getState();
    const onProgress = Comlink.proxy((message: string) => usePrecision.setState((s) => ({ suggestLog: [...s.suggestLog, message] })));
    const outcome = await client.suggest({ recipe: useApp.getState().recipe, metric, tolerance }, onProgress);
    if (!stillCurrent()) return;
    if (!outcome.ok) fail('The search failed', outcome.error);
    else usePrecision.setState({ suggestion: outcome.value });
  } catch (error) {
    fail('The search failed', error);
  } finally {
    usePrecision.setState({ suggestPending: false });
  }
}

/** Puts the suggested nodes into the block list: one edit, undone with Ctrl+Z like any other. */
export function acceptSuggestion(): void {
  const suggestion = usePrecision.getState().suggestion;
  if (!suggestion) return;
  const added = suggestion.added;
  editRecipe((recipe: Recipe) => ({ ...recipe, nodeBlockList: [...recipe.nodeBlockList, ...added.filter((n) => !recipe.nodeBlockList.includes(n))] }));
  usePrecision.setState({ suggestion: null });
}

export function dismissSuggestion(): void {
  usePrecision.setState({ suggestion: null });
}

export async function detectWebGpu(): Promise<void> {
  const info = await precisionClient().webgpu();
  usePrecision.setState({ webgpu: info });
}

export async function runReal(): Promise<void> {
  usePrecision.setState({ realPending: true, realRun: null, realProgress: '', error: null });
  try {
    const client = precisionClient();
    if (!(await ensureReady(client))) return;
    const { runs, warmup, wasmOnly } = usePrecision.getState();
    const onProgress = Comlink.proxy((message: string) => usePrecision.setState({ realProgress: message }));
    const outcome = await client.realRun({ recipe: useApp.getState().recipe, runs, warmup, wasmOnly }, onProgress);
    if (!stillCurrent()) return;
    if (!outcome.ok) fail('The run failed', outcome.error);
    else usePrecision.setState({ realRun: outcome.value, webgpu: outcome.value.webgpu });
  } catch (error) {
    fail('The run failed', error);
  } finally {
    usePrecision.setState({ realPending: false });
  }
}

/** Live preview: re-run when the block list changes, once a first preview exists. Returns an unsubscribe. */
export function installPrecisionEffects(): () => void {
  return useApp.subscribe((state, previous) => {
    if (state.model?.seq !== previous.model?.seq) {
      usePrecision.setState({ preview: null, levels: null, suggestion: null, realRun: null });
      return;
    }
    const p = usePrecision.getState();
    if (state.recipe !== previous.recipe && p.live && p.preview) void runPreview();
  });
}
