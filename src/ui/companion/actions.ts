// What the companion panel does: check the companion's /info, and time the open model (fp32, as opened) and
// the converted model (the current recipe, converted by the model worker as the Export panel does) on it,
// with the error of the converted model's outputs against fp32's on the same generated inputs.

import { CompanionClient, CompanionError } from '../../companion/shared/client';
import { compareTensors } from '../../companion/shared/compare';
import { decodeTensor, type BenchResponse, type InfoResponse, type RunResponse } from '../../companion/shared/protocol';
import { formatBytes } from '../format';
import { useApp } from '../store';
import { modelClient } from '../workers';
import { parseCompanionInput, saveConnection, useCompanion, type CompanionResult } from './store';

/** Symbolic dims of the open model's graph inputs, in input order. */
export function symbolicDims(): string[] {
  const model = useApp.getState().model;
  if (!model) return [];
  const names = new Set<string>();
  for (const input of model.summary.inputs) {
    const value = model.valuesByName.get(input);
    if (!value || value.isInitializer) continue;
    for (const dim of value.shape ?? []) if (typeof dim === 'string' && dim) names.add(dim);
  }
  return [...names];
}

export function defaultDim(name: string): number {
  return /batch/i.test(name) ? 1 : 128;
}

/** The sizes that go with a job: the user's, else the defaults. */
function jobDims(): Record<string, number> {
  const dims = useCompanion.getState().dims;
  return Object.fromEntries(symbolicDims().map((name) => [name, dims[name] ?? defaultDim(name)]));
}

export function setDim(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 1) return;
  useCompanion.setState((s) => ({ dims: { ...s.dims, [name]: Math.floor(value) } }));
}

/** The URL field: a pasted printed URL fills in the token too. */
export function setUrlText(text: string): void {
  if (/[?#&]token=|#companion=/.test(text)) {
    try {
      const parsed = parseCompanionInput(text);
      useCompanion.setState({ url: parsed.url, ...(parsed.token ? { token: parsed.token } : {}) });
      return;
    } catch {
      // not a URL yet: keep what was typed
    }
  }
  useCompanion.setState({ url: text });
}

export function setToken(text: string): void {
  const trimmed = text.trim();
  // Someone pasted the whole printed URL into the token field.
  if (/^https?:\/\//i.test(trimmed)) return setUrlText(trimmed);
  useCompanion.setState({ token: trimmed });
}

function client(): CompanionClient {
  const { url, token } = useCompanion.getState();
  const { url: base } = parseCompanionInput(url);
  return new CompanionClient({ baseUrl: base, token });
}

function originHint(): string {
  return globalThis.location ? ` --origin ${globalThis.location.origin}` : '';
}

let connectSeq = 0;

/** Asks /info. Sets the status to connected, wrong-token, not-found or error. */
export async function connect(): Promise<boolean> {
  const seq = ++connectSeq;
  const { url, token } = useCompanion.getState();
  let c: CompanionClient;
  try {
    c = client();
  } catch {
    useCompanion.setState({ state: 'error', info: null, message: `'${url}' is not a URL (it looks like http://127.0.0.1:8765).` });
    return false;
  }
  // Keep the normalized base URL (a pasted '127.0.0.1:9000/' becomes http://127.0.0.1:9000).
  useCompanion.setState({ url: c.baseUrl, state: 'checking', message: null });
  saveConnection();
  if (!token) {
    useCompanion.setState({
      state: 'wrong-token',
      info: null,
      message: 'No token: paste the URL the companion printed (http://127.0.0.1:PORT/?token=…).',
    });
    return false;
  }
  const status = await c.status(AbortSignal.timeout(10_000));
  if (seq !== connectSeq) return false;
  if (status.state === 'connected') {
    if (status.info.service !== 'castaway-companion') {
      useCompanion.setState({ state: 'error', info: null, message: `${c.baseUrl} answered, but it is not a Castaway companion.` });
      return false;
    }
    useCompanion.setState({ state: 'connected', info: status.info, message: null });
    return true;
  }
  if (status.state === 'refused' && (status.code === 'forbidden' || status.code === 'unauthorized') && /token/i.test(status.message)) {
    useCompanion.setState({
      state: 'wrong-token',
      info: null,
      message: `Wrong token: ${c.baseUrl} refused it (the companion prints a new token each time it starts; paste its latest URL).`,
    });
    return false;
  }
  if (status.state === 'refused') {
    useCompanion.setState({ state: 'error', info: null, message: `The companion refused the request (${status.code}): ${status.message}` });
    return false;
  }
  useCompanion.setState({
    state: 'not-found',
    info: null,
    message:
      `No companion answered at ${c.baseUrl}. Start it with \`npm run companion\` (for this page: ` +
      `\`npm run companion --${originHint() || ' --origin <this page’s origin>'}\`) and check the port.`,
  });
  return false;
}

/** A companion failure as one sentence for the panel. */
function describe(error: unknown, what: string, info: InfoResponse | null): string {
  if (!(error instanceof CompanionError)) return `${what}: ${(error as Error)?.message ?? String(error)}`;
  switch (error.code) {
    case 'timeout':
      return `${what} ran past the companion's time limit${info ? ` (${info.limits.timeoutMs >= 1000 ? `${Math.round(info.limits.timeoutMs / 1000)} s` : `${info.limits.timeoutMs} ms`})` : ''} and was stopped: try smaller dims or fewer runs, or start the companion with a larger --timeout-s.`;
    case 'payload-too-large':
      return `${what} is too large for the companion${info ? ` (upload limit ${formatBytes(info.limits.maxUploadBytes)})` : ''}: start it with a larger --max-upload-mb. ${error.message}`;
    case 'bad-model':
      return `${what}: the companion's onnxruntime could not load it. ${error.message}`;
    case 'bad-input':
      return `${what}: the inputs could not be built or were refused (check the dims above). ${error.message}`;
    case 'bad-request':
      return `${what}: the companion refused the request. ${error.message}`;
    case 'queue-full':
      return `The companion is busy (its queue is full): try again when its other jobs are done.`;
    case 'worker-crashed':
      return `${what}: the companion's inference process died (out of memory?). It restarts by itself. ${error.message}`;
    case 'ep-unavailable':
      return `${what}: ${error.message}`;
    case 'forbidden':
    case 'unauthorized':
      return `The companion refused the token: ${error.message}`;
    default:
      return `${what}: ${error.message}`;
  }
}

let jobAbort: AbortController | null = null;

export function cancelTiming(): void {
  jobAbort?.abort();
}

function finish(patch: Partial<ReturnType<typeof useCompanion.getState>>): void {
  useCompanion.setState((s) => ({ pending: false, progress: '', jobSeq: s.jobSeq + 1, ...patch }));
}

/**
 * Benchmarks the fp32 model and the converted one on the companion (run, then bench, per model: the
 * companion keeps the session between the two) and compares the run outputs.
 */
export async function runTiming(): Promise<void> {
  const { model, recipe } = useApp.getState();
  const state = useCompanion.getState();
  if (!model || state.pending) return;
  const abort = new AbortController();
  jobAbort = abort;
  const set = (progress: string) => useCompanion.setState({ progress });
  useCompanion.setState({ pending: true, error: null, progress: 'checking the companion…' });

  if (useCompanion.getState().state !== 'connected' || !useCompanion.getState().info) {
    if (!(await connect())) return finish({ error: 'Not connected to the companion: see the status above.' });
  }
  const info = useCompanion.getState().info;
  const dims = jobDims();
  const recipeJson = JSON.stringify(recipe);
  const limit = info?.limits.maxUploadBytes ?? Infinity;

  set('reading the fp32 model…');
  const source = await modelClient().source();
  if (!source.ok) return finish({ error: `The open model could not be read: ${source.error.message}` });
  set('converting with the current recipe…');
  const converted = await modelClient().convert(recipe);
  if (!converted.ok) return finish({ error: `The model could not be converted: ${converted.error.message}` });
  if (source.value.externalFiles.length || converted.value.externalFiles.length) {
    return finish({
      error: 'This model keeps its weights in external-data files; the companion takes one .onnx file per job, so it cannot time it.',
    });
  }
  const fp32Bytes = source.value.bytes;
  const fp16Bytes = converted.value.bytes;
  for (const [label, bytes] of [['The fp32 model', fp32Bytes], ['The converted model', fp16Bytes]] as const) {
    if (bytes.byteLength > limit) {
      return finish({
        error: `${label} (${formatBytes(bytes.byteLength)}) is larger than the companion's upload limit (${formatBytes(limit)}): start it with a larger --max-upload-mb.`,
      });
    }
  }

  let c: CompanionClient;
  try {
    c = client();
  } catch (e) {
    return finish({ error: (e as Error).message });
  }
  const { runs, warmup } = useCompanion.getState();
  const params = { dims, seed: 0 };
  const runs_: Record<'fp32' | 'fp16', RunResponse | null> = { fp32: null, fp16: null };
  const benches: Record<'fp32' | 'fp16', BenchResponse | null> = { fp32: null, fp16: null };
  for (const [key, label, bytes] of [
    ['fp32', 'The fp32 model', fp32Bytes],
    ['fp16', 'The converted model', fp16Bytes],
  ] as const) {
    try {
      set(`${key}: running once for its outputs…`);
      runs_[key] = await c.run(bytes, params, abort.signal);
      set(`${key}: timing (${warmup} warm-up + ${runs} runs)…`);
      benches[key] = await c.bench(bytes, { ...params, runs, warmup }, abort.signal);
    } catch (error) {
      if ((error as Error)?.name === 'AbortError' || abort.signal.aborted) return finish({ error: 'Cancelled.' });
      if (error instanceof CompanionError && (error.code === 'forbidden' || error.code === 'unauthorized')) {
        await connect();
      } else if (error instanceof CompanionError && error.code === 'internal' && /unreachable/.test(error.message)) {
        // The connection dropped: the companion stopped, or it closed an upload it would not take.
        const alive = await connect();
        return finish({
          error: alive
            ? `${label}: the companion closed the connection (${error.message}). An upload over its limit ends this way.`
            : `${label}: the companion went away during the job.`,
        });
      }
      return finish({ error: describe(error, label, info) });
    }
  }
  if (useApp.getState().model?.seq !== model.seq) return finish({ error: 'Another model was opened during the timing.' });

  const fp32 = benches.fp32!;
  const fp16 = benches.fp16!;
  const outputs: CompanionResult['outputs'] = [];
  try {
    for (const [name, ref] of Object.entries(runs_.fp32!.outputs)) {
      const got = runs_.fp16!.outputs[name];
      if (!got) continue;
      outputs.push({ name, ...compareTensors({ type: ref.type, data: decodeTensor(ref) }, { type: got.type, data: decodeTensor(got) }) });
    }
  } catch (error) {
    return finish({ error: `The outputs could not be compared: ${(error as Error).message}` });
  }
  finish({
    result: {
      modelSeq: model.seq,
      recipe: recipeJson,
      dims,
      fp32,
      fp16,
      speedup: fp32.medianMs / fp16.medianMs,
      outputs,
      fp32Bytes: fp32Bytes.byteLength,
      fp16Bytes: fp16Bytes.byteLength,
    },
    error: null,
  });
}
