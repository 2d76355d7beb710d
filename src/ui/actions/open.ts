// Opening a model: from dropped files, a URL or a bundled sample, through the model worker (decode, plan)
// and the layout worker (scope tree, first layout), into the store in one change.

import * as Comlink from 'comlink';
import { DEFAULT_RECIPE } from '../../core/index';
import type { NamedBytes, OpenStage } from '../../../workers/model-api';
import { useApp, type LoadedModel, type ProgressStage } from '../store';
import { indexValues, topologyOf } from '../topology';
import { layoutClient, modelClient } from '../workers';
import { layouter } from './layout';
import { showError } from './notice';
import { planner } from './plan';
import { readFile, readStream } from './read-bytes';

/** The opening view shows at most this many boxes; bigger scopes stay closed until clicked. */
const INITIAL_UNIT_BUDGET = 160;

let openSeq = 0;

/** Timeline marks of an open (read by the browser benchmark through the Performance API). */
function mark(name: 'read' | 'opened' | 'laid-out'): void {
  performance.mark(`castaway:${name}`);
}

function setProgress(stage: ProgressStage, fraction: number | null, fileName: string) {
  useApp.setState({ progress: { stage, fraction, fileName } });
}

/** The model among dropped files: the first .onnx; the rest are its external-data files. */
function pickModelFile(files: readonly File[]): { model: File; externals: File[] } | null {
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
  const model: LoadedModel = {
    fileName,
    fileSize,
    externalFileNames: externalFiles.map((file) => file.name),
    summary,
    valuesByName,
    timings,
    seq,
  };
  // Mark both as done before the store changes, so the change does not trigger a second plan or layout.
  layouter.done({ expanded, showFolded: false, model });
  planner.done({ recipe, model });
  useApp.setState((state) => ({
    progress: null,
    notice: null,
    model,
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
