// What the user can do, as functions: each updates the store and talks to the workers. Components call
// these and never the workers directly.

import * as Comlink from 'comlink';
import type { LowPrecision, Recipe } from '../core/index';
import { DEFAULT_RECIPE } from '../core/index';
import type { NamedBytes, OpenStage, PresetId, WorkerError } from '../../workers/model-api';
import { pushRecipe, redoRecipe, undoRecipe, useApp, type ProgressStage, type Theme } from './store';
import { indexValues, topologyOf } from './topology';
import { layoutClient, modelClient } from './workers';

/** The opening view shows at most this many boxes; bigger scopes stay closed until clicked. */
export const INITIAL_UNIT_BUDGET = 160;

let openSeq = 0;

/** Timeline marks of an open (read by the browser benchmark through the Performance API). */
function mark(name: 'read' | 'opened' | 'laid-out'): void {
  performance.mark(`castaway:${name}`);
}

function setProgress(stage: ProgressStage, fraction: number | null, fileName: string) {
  useApp.setState({ progress: { stage, fraction, fileName } });
}

function showError(title: string, error: WorkerError) {
  useApp.setState({ notice: { kind: 'error', title, message: error.message, code: error.code } });
}

export function dismissNotice(): void {
  useApp.setState({ notice: null });
}

// ---------------------------------------------------------------------------------------------- opening

async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number,
  onFraction: (fraction: number | null) => void,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onFraction(total > 0 ? Math.min(1, received / total) : null);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function readFile(file: File, onFraction: (fraction: number | null) => void): Promise<Uint8Array> {
  return readStream(file.stream(), file.size, onFraction);
}

/** The model among dropped files: the first .onnx; the rest are its external-data files. */
export function pickModelFile(files: readonly File[]): { model: File; externals: File[] } | null {
  if (!files.length) return null;
  const model = files.find((file) => /\.onnx$/i.test(file.name)) ?? files[0];
  return { model, externals: files.filter((file) => file !== model) };
}

export async function openFiles(files: readonly File[]): Promise<void> {
  const picked = pickModelFile(files);
  if (!picked) return;
  const { model, externals } = picked;
  const total = [model, ...externals].reduce((sum, file) => sum + file.size, 0);
  let done = 0;
  try {
    setProgress('reading', 0, model.name);
    const read = async (file: File) => {
      const bytes = await readFile(file, (fraction) =>
        setProgress('reading', total ? (done + (fraction ?? 0) * file.size) / total : null, model.name),
      );
      done += file.size;
      return bytes;
    };
    const bytes = await read(model);
    const externalFiles: NamedBytes[] = [];
    for (const file of externals) externalFiles.push({ name: file.name, bytes: await read(file) });
    await openBytes(model.name, bytes, externalFiles);
  } catch (error) {
    useApp.setState({ progress: null });
    showError(`Could not read ${model.name}`, { code: 'internal', message: String(error), where: '' });
  }
}

export async function openUrl(url: string): Promise<void> {
  const fileName = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || 'model.onnx');
  try {
    setProgress('reading', null, fileName);
    const response = await fetch(url);
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    const total = Number(response.headers.get('content-length') ?? 0);
    const bytes = await readStream(response.body, total, (fraction) => setProgress('reading', fraction, fileName));
    await openBytes(fileName, bytes, []);
  } catch (error) {
    useApp.setState({ progress: null });
    const message = error instanceof Error ? error.message : String(error);
    showError(`Could not download ${fileName}`, { code: 'internal', message, where: url });
  }
}

export interface Sample {
  file: string;
  label: string;
  about: string;
}

export const SAMPLES: Sample[] = [
  { file: 'pegasus-small-o14-encoder.onnx', label: 'Pegasus encoder', about: '314 nodes, opset 14' },
  { file: 'bert-tiny-o14.onnx', label: 'BERT tiny', about: '354 nodes, two outputs' },
  { file: 't5-tiny-o14-encoder.onnx', label: 'T5 encoder', about: '302 nodes, RMS norm' },
];

export function openSample(sample: Sample): Promise<void> {
  return openUrl(`${import.meta.env.BASE_URL}samples/${sample.file}`);
}

async function openBytes(fileName: string, bytes: Uint8Array, externalFiles: NamedBytes[]): Promise<void> {
  try {
    await openBytesUnguarded(fileName, bytes, externalFiles);
  } catch (error) {
    // A worker crash or a layout failure: say so, keep whatever model was open before.
    useApp.setState({ progress: null });
    const message = error instanceof Error ? error.message : String(error);
    showError(`${fileName} could not be opened`, { code: 'internal', message, where: '' });
  }
}

async function openBytesUnguarded(fileName: string, bytes: Uint8Array, externalFiles: NamedBytes[]): Promise<void> {
  const seq = ++openSeq;
  mark('read');
  const fileSize = bytes.byteLength;
  const recipe = DEFAULT_RECIPE;
  setProgress('parsing', null, fileName);
  const onStage = Comlink.proxy((stage: OpenStage) => {
    if (seq === openSeq) setProgress(stage, null, fileName);
  });
  const transfers = [...new Set([bytes, ...externalFiles.map((file) => file.bytes)].map((b) => b.buffer as ArrayBuffer))];
  const outcome = await modelClient().open(
    Comlink.transfer({ fileName, bytes, externalFiles, recipe, generation: seq }, transfers),
    onStage,
  );
  if (seq !== openSeq) return;
  if (!outcome.ok) {
    useApp.setState({ progress: null });
    showError(`${fileName} could not be opened`, outcome.error);
    return;
  }
  mark('opened');
  const { summary, plan, timings } = outcome.value;
  setProgress('layout', null, fileName);
  const valuesByName = indexValues(summary);
  const topology = topologyOf(summary, valuesByName);
  const layout = layoutClient();
  const tree = await layout.setTopology(
    Comlink.transfer(topology, [topology.foldable.buffer, topology.edgeFrom.buffer, topology.edgeTo.buffer] as ArrayBuffer[]),
    INITIAL_UNIT_BUDGET,
    seq,
  );
  if (!tree.ok) {
    useApp.setState({ progress: null });
    showError(`${fileName} could not be laid out`, tree.error);
    return;
  }
  const expanded = tree.value.initialExpanded;
  const layoutOutcome = await layout.layout({ expanded, showFolded: false });
  if (seq !== openSeq) return;
  if (!layoutOutcome.ok) {
    useApp.setState({ progress: null });
    showError(`${fileName} could not be laid out`, layoutOutcome.error);
    return;
  }
  const laidOut = layoutOutcome.value;
  mark('laid-out');
  // Mark both as done before the store changes, so the change does not trigger a second plan or layout.
  lastLaidOut = { expanded, showFolded: false };
  lastPlanned = recipe;
  useApp.setState((state) => ({
    progress: null,
    notice: null,
    model: {
      fileName,
      fileSize,
      externalFileNames: externalFiles.map((file) => file.name),
      summary,
      valuesByName,
      timings,
      seq,
    },
    recipe,
    past: [],
    future: [],
    plan,
    planGeneration: seq,
    planSeq: state.planSeq + 1,
    planPending: false,
    expanded,
    showFolded: false,
    layout: laidOut,
    layoutPending: false,
    selectedUnit: null,
    focus: null,
  }));
}

// ---------------------------------------------------------------------------------------------- planning

let lastPlanned: Recipe | null = null;
let planRunning = false;

/** Plans the store's current recipe; while a plan runs, further edits coalesce into one more run. */
async function replan(): Promise<void> {
  if (planRunning) return;
  planRunning = true;
  try {
    for (;;) {
      const { recipe, model } = useApp.getState();
      if (!model || recipe === lastPlanned) break;
      lastPlanned = recipe;
      useApp.setState({ planPending: true });
      const stamped = await modelClient().plan(recipe);
      // Another model was opened meanwhile (in the page or, further along, already in the worker): this
      // plan is not for the model on screen.
      if (useApp.getState().model?.seq !== model.seq || stamped.generation !== model.seq) break;
      const outcome = stamped.value;
      if (outcome.ok) {
        useApp.setState((state) => ({ plan: outcome.value, planGeneration: model.seq, planSeq: state.planSeq + 1 }));
      } else {
        showError('The block list could not be planned', outcome.error);
      }
    }
  } finally {
    planRunning = false;
    useApp.setState({ planPending: false });
  }
}

// ---------------------------------------------------------------------------------------------- layout

let lastLaidOut: { expanded: string[]; showFolded: boolean } | null = null;
let layoutRunning = false;

async function relayout(): Promise<void> {
  if (layoutRunning) return;
  layoutRunning = true;
  try {
    for (;;) {
      const { expanded, showFolded, model } = useApp.getState();
      if (!model || (lastLaidOut && lastLaidOut.expanded === expanded && lastLaidOut.showFolded === showFolded)) break;
      lastLaidOut = { expanded, showFolded };
      useApp.setState({ layoutPending: true });
      const result = await layoutClient().layout({ expanded, showFolded });
      if (useApp.getState().model?.seq !== model.seq) break;
      if (!result.ok) {
        showError('The graph could not be laid out', result.error);
        break;
      }
      if (result.value.generation !== model.seq) break;
      useApp.setState({ layout: result.value });
    }
  } finally {
    layoutRunning = false;
    useApp.setState({ layoutPending: false });
  }
}

/** Re-plan when the recipe changes, re-lay-out when the open scopes change. Called once at start-up. */
export function installEffects(): () => void {
  return useApp.subscribe((state, previous) => {
    if (state.recipe !== previous.recipe) void replan();
    if (state.expanded !== previous.expanded || state.showFolded !== previous.showFolded) void relayout();
  });
}

export async function loadPresets(): Promise<void> {
  const presets = await modelClient().presets();
  useApp.setState({ presets });
}

// ---------------------------------------------------------------------------------------------- block list

export function editRecipe(change: (recipe: Recipe) => Recipe): void {
  pushRecipe(change(useApp.getState().recipe));
}

function toggled(list: readonly string[], item: string): string[] {
  return list.includes(item) ? list.filter((entry) => entry !== item) : [...list, item];
}

export function toggleOpType(opType: string): void {
  editRecipe((recipe) => ({ ...recipe, opBlockList: toggled(recipe.opBlockList, opType) }));
}

export function toggleNodeBlock(nodeName: string): void {
  if (!nodeName) return;
  editRecipe((recipe) => ({ ...recipe, nodeBlockList: toggled(recipe.nodeBlockList, nodeName) }));
}

export function togglePattern(pattern: string): void {
  const trimmed = pattern.trim();
  if (!trimmed) return;
  editRecipe((recipe) => ({ ...recipe, patterns: toggled(recipe.patterns, trimmed) }));
}

export function applyPreset(id: PresetId): void {
  const preset = useApp.getState().presets.find((entry) => entry.id === id);
  if (!preset) return;
  editRecipe((recipe) => ({
    ...DEFAULT_RECIPE,
    targetEp: recipe.targetEp,
    dims: recipe.dims,
    objective: recipe.objective,
    lowPrecision: recipe.lowPrecision,
    ...preset.recipe,
  }));
}

export function undo(): void {
  undoRecipe();
}

export function redo(): void {
  redoRecipe();
}

// ---------------------------------------------------------------------------------------------- graph view

export function selectUnit(unitId: string | null): void {
  useApp.setState({ selectedUnit: unitId });
}

export function focusUnit(unitId: string): void {
  useApp.setState((state) => ({ selectedUnit: unitId, focus: { unitId, seq: (state.focus?.seq ?? 0) + 1 } }));
}

/** Opens a closed scope and keeps the view on it once the new layout lands. */
export function expandScope(scopeId: string): void {
  if (useApp.getState().expanded.includes(scopeId)) return;
  useApp.setState((state) => ({ expanded: [...state.expanded, scopeId] }));
  focusUnit(`c:${scopeId}`);
}

export async function collapseScope(scopeId: string): Promise<void> {
  const scopes = await layoutClient().descendantScopes(scopeId);
  if (!scopes.ok) return showError('The scope could not be collapsed', scopes.error);
  const inside = new Set(scopes.value);
  useApp.setState((state) => ({ expanded: state.expanded.filter((id) => !inside.has(id)) }));
  focusUnit(`g:${scopeId}`);
}

export function setShowFolded(showFolded: boolean): void {
  useApp.setState({ showFolded });
}

/** Opens the scopes around a node (and shows folded nodes if it is one), then centres the view on it. */
export async function revealNode(nodeIndex: number): Promise<void> {
  const { model } = useApp.getState();
  if (!model) return;
  const found = await layoutClient().revealPath(nodeIndex);
  if (!found.ok) return showError('The node could not be shown', found.error);
  const path = found.value;
  const foldable = model.summary.nodes[nodeIndex]?.foldable ?? false;
  useApp.setState((state) => {
    const missing = path.filter((id) => !state.expanded.includes(id));
    return {
      expanded: missing.length ? [...state.expanded, ...missing] : state.expanded,
      showFolded: state.showFolded || foldable,
    };
  });
  focusUnit(`n:${nodeIndex}`);
}

export function setTheme(theme: Theme): void {
  localStorage.setItem('castaway-theme', theme);
  useApp.setState({ theme });
}

// ---------------------------------------------------------------------------------------------- export

function download(name: string, parts: BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function baseName(fileName: string): string {
  return fileName.replace(/\.onnx$/i, '');
}

/** Names of the exported files: the converted model is named after its low type (model.fp16.onnx, model.bf16.onnx). */
export function outputNames(fileName: string, low: LowPrecision = 'fp16'): { model: string; recipe: string } {
  const base = baseName(fileName);
  return { model: `${base}.${low}.onnx`, recipe: `${base}.recipe.json` };
}

export async function exportModel(): Promise<boolean> {
  const { model, recipe } = useApp.getState();
  if (!model) return false;
  const outcome = await modelClient().convert(recipe);
  if (!outcome.ok) {
    showError('The model could not be converted', outcome.error);
    return false;
  }
  const names = outputNames(model.fileName, recipe.lowPrecision);
  // Every byte is in memory before the first download starts, and the browser writes each download to a
  // temporary file it renames when complete, so no export is left partial. Data files go first, so a model
  // never lands without the data it names.
  for (const file of outcome.value.externalFiles) {
    download(file.name, [file.bytes as Uint8Array<ArrayBuffer>], 'application/octet-stream');
  }
  download(names.model, [outcome.value.bytes as Uint8Array<ArrayBuffer>], 'application/octet-stream');
  return true;
}

export async function exportRecipe(): Promise<void> {
  const { model, recipe } = useApp.getState();
  if (!model) return;
  const outcome = await modelClient().serializeRecipe(recipe);
  if (!outcome.ok) {
    showError('The recipe could not be written', outcome.error);
    return;
  }
  download(outputNames(model.fileName).recipe, [outcome.value], 'application/json');
}

export async function cliCommand(): Promise<string> {
  const { model, recipe } = useApp.getState();
  if (!model) return '';
  return modelClient().cliCommand(recipe, model.fileName, outputNames(model.fileName, recipe.lowPrecision).model);
}

export async function importRecipe(file: File): Promise<void> {
  const outcome = await modelClient().parseRecipe(await file.text());
  if (!outcome.ok) {
    showError(`${file.name} is not a usable recipe`, outcome.error);
    return;
  }
  pushRecipe(outcome.value);
  useApp.setState({ notice: { kind: 'info', title: 'Recipe imported', message: file.name } });
}
