// What the precision panel does: point the precision service at the open model, run previews (again on each
// block-list change when live), search for a block list, run both models for timings. The block list
// itself is the app's: accepting a suggestion is one undoable edit through the app's own action.

import * as Comlink from 'comlink';
import type { Recipe } from '../../core/index';
import { errorLevel } from '../../core/index';
import { defaultDims, symbolicDimNames, type InputShape } from '../../core/index';
import { explainRuntimeError } from '../../core/index';
import type { PreviewStage } from '../../../workers/precision-api';
import type { NamedBytes } from '../../../workers/model-api';
import type { WorkerError } from '../../../workers/outcome';
import type { PrecisionWorkerApi } from './worker';
import { precisionClient, terminatePrecisionWorker } from './worker';
import { detectWebGpu as detectGpu, navigatorGpu } from '../../../workers/webgpu';
import { editRecipe } from '../actions/recipe-edits';
import { useApp, type LoadedModel } from '../store';
import { usePrecision } from './store';

/**
 * Records a failure. `runtime`: onnxruntime's message, put in words by the engine (explainRuntimeError);
 * the raw text is kept for the folded detail.
 */
function fail(title: string, error: WorkerError | unknown, runtime = false): void {
  const message =
    error && typeof error === 'object' && 'message' in error ? String((error as { message: unknown }).message) : String(error);
  if (!runtime) {
    usePrecision.setState({ error: { title: `${title}: ${message}`, raw: message } });
    return;
  }
  const explained = explainRuntimeError(message);
  usePrecision.setState({ error: { title: `${title}. ${explained.summary}`, raw: message, hint: explained.hint } });
}

/** The model's inputs as the engine's summary describes them. */
function inputShapes(model: LoadedModel): InputShape[] {
  return model.summary.inputs.map((name) => {
    const value = model.valuesByName.get(name);
    return { name, elemType: value?.elemType, shape: value?.shape };
  });
}

/** Sizes for a newly opened model, read from its inputs, so the panel shows them before the first run. */
function adoptModelDims(model: LoadedModel | null): void {
  if (!model || usePrecision.getState().dimsModelSeq === model.seq) return;
  const shapes = inputShapes(model);
  usePrecision.setState({ dimsModelSeq: model.seq, dimNames: symbolicDimNames(shapes), dims: defaultDims(shapes), inputsDirty: true });
}

/** The steps a preview goes through, as the progress bar shows them. */
export const PREVIEW_STEPS = [
  'loading the model into the preview worker',
  'preparing inputs',
  'running the fp32 model',
  'running the fp16-simulated model',
] as const;

const STAGE_STEP: Record<PreviewStage, number> = { reference: 2, simulate: 3 };

function setStep(step: number): void {
  usePrecision.setState((state) => ({ previewProgress: { step, startedAt: state.previewProgress?.startedAt ?? performance.now() } }));
}

let pendingFiles: NamedBytes[] = [];
/** The app model the files were chosen for: files of another model are dropped when the worker opens this one. */
let pendingFilesModel: number | null = null;

/** Whether the model the precision worker computed on is still the one on screen (else drop the result). */
function stillCurrent(): boolean {
  return usePrecision.getState().modelSeq === useApp.getState().model?.seq;
}

/** Makes sure the precision worker holds the app's current model and the chosen inputs. */
async function ensureReady(client: Comlink.Remote<PrecisionWorkerApi>, onStep: (step: number) => void = () => {}): Promise<boolean> {
  const model = useApp.getState().model;
  if (!model) return false;
  adoptModelDims(model);
  if (usePrecision.getState().modelSeq !== model.seq) {
    onStep(0);
    const opened = await client.open();
    if (!opened.ok) {
      fail('The precision worker could not open the model', opened.error);
      return false;
    }
    // The user's input files stay when they were chosen for this model, maybe before its first run: clearing
    // them here lost files picked before the first preview. Files chosen for another model go.
    if (pendingFilesModel !== model.seq) pendingFiles = [];
    usePrecision.setState({
      modelSeq: model.seq,
      info: opened.value,
      ...(pendingFiles.length ? {} : { inputFiles: [] }),
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
    onStep(1);
    const request = pendingFiles.length
      ? { kind: 'files' as const, dims: state.dims, files: pendingFiles }
      : { kind: 'seeded' as const, dims: state.dims, seed: state.seed };
    const inputs = await client.setInputs(request);
    if (!inputs.ok) {
      fail('The inputs do not fit the model', inputs.error, true);
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
  const model = useApp.getState().model?.seq ?? null;
  pendingFiles = await Promise.all(files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) })));
  pendingFilesModel = model;
  usePrecision.setState({ inputFiles: files.map((f) => f.name), inputsDirty: true });
}

export function setSeededInputs(): void {
  pendingFiles = [];
  usePrecision.setState({ inputFiles: [], inputsDirty: true });
}

let previewRunning = false;
/** Bumped by a cancel: a run that finds it changed drops whatever it was waiting for. */
let previewToken = 0;

/** Runs the preview for the app's current recipe; edits during a run coalesce into one more run. */
export async function runPreview(): Promise<void> {
  if (previewRunning) return;
  previewRunning = true;
  const token = ++previewToken;
  const alive = () => token === previewToken;
  usePrecision.setState({ previewPending: true, error: null, previewProgress: { step: 0, startedAt: performance.now() } });
  try {
    const client = precisionClient();
    for (;;) {
      const ready = await ensureReady(client, (step) => alive() && setStep(step));
      if (!alive() || !ready) break;
      const { recipe } = useApp.getState();
      const key = JSON.stringify(recipe);
      const { perNode } = usePrecision.getState();
      const onStage = Comlink.proxy((stage: PreviewStage) => {
        if (alive()) setStep(STAGE_STEP[stage]);
      });
      const outcome = await client.preview(recipe, perNode, onStage);
      if (!alive() || !stillCurrent()) break;
      if (!outcome.ok) {
        fail('The preview failed', outcome.error, true);
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
    if (alive()) fail('The preview failed', error, true);
  } finally {
    // A cancelled run has already handed the panel back (cancelPreview).
    if (alive()) {
      previewRunning = false;
      usePrecision.setState({ previewPending: false, previewProgress: null });
    }
  }
}

/** Stops a running preview (the worker is restarted; the next run reopens the model, sizes are kept). */
export function cancelPreview(): void {
  if (!previewRunning) return;
  previewToken++;
  previewRunning = false;
  terminatePrecisionWorker();
  usePrecision.setState({
    previewPending: false,
    previewProgress: null,
    suggestPending: false,
    realPending: false,
    modelSeq: null,
    inputsDirty: true,
    error: { title: 'The preview was cancelled. Smaller sizes (batch 1, a shorter sequence, a smaller image) run faster.', raw: '' },
  });
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
    if (!outcome.ok) fail('The search failed', outcome.error, true);
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

/**
 * Fills the panel's WebGPU line from the page's own `navigator.gpu`: asking the runtime worker would start
 * it, and load onnxruntime-web's wasm, for every model opened. A real run reports the worker's own answer.
 */
export async function detectWebGpu(): Promise<void> {
  const info = await detectGpu(navigatorGpu());
  if (!usePrecision.getState().webgpu) usePrecision.setState({ webgpu: info });
}

/**
 * The pointer or the focus is in the precision panel: start the runtime workers (and their wasm) now, so a
 * click on Run finds them loading. Idempotent; nothing starts before a model is open.
 */
export function prepareRuns(): void {
  if (useApp.getState().model) precisionClient();
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
    if (!outcome.ok) fail('The run failed', outcome.error, true);
    else usePrecision.setState({ realRun: outcome.value, webgpu: outcome.value.webgpu });
  } catch (error) {
    fail('The run failed', error);
  } finally {
    usePrecision.setState({ realPending: false });
  }
}

/** Live preview: re-run when the block list changes, once a first preview exists. Returns an unsubscribe. */
export function installPrecisionEffects(): () => void {
  adoptModelDims(useApp.getState().model);
  return useApp.subscribe((state, previous) => {
    if (state.model?.seq !== previous.model?.seq) {
      pendingFiles = [];
      usePrecision.setState({ preview: null, levels: null, suggestion: null, realRun: null, error: null, inputFiles: [], inputs: null });
      adoptModelDims(state.model);
      return;
    }
    const p = usePrecision.getState();
    if (state.recipe !== previous.recipe && p.live && p.preview) void runPreview();
  });
}
