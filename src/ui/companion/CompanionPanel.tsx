// The companion panel: where the companion is (URL + token, or the pasted printed URL), its status (device,
// execution provider and why, onnxruntime version), and "Time on companion": the fp32 model and the model
// converted with the current recipe, median / p90 / speed-up, and the converted model's output error, shown
// beside the browser's WebGPU/wasm timings when the precision panel has made them.

import { useEffect, useState } from 'react';
import type { InfoResponse } from '../../companion/shared/protocol';
import { formatBytes } from '../format';
import { useApp } from '../store';
import { usePrecision } from '../precision/store';
import { cancelTiming, connect, defaultDim, runTiming, setDim, setToken, setUrlText, symbolicDims } from './actions';
import { OPENED_WITH_COMPANION, saveConnection, useCompanion, type CompanionResult } from './store';
import './companion.css';
import { ErrorMetricsTable } from '../ErrorMetricsTable';
import { formatMetric } from '../format';

const num = formatMetric;

function epLabel(info: InfoResponse): string {
  return info.ep === 'cuda' ? 'CUDA' : 'CPU';
}

/** Why the companion runs on CPU, when it does. */
function cpuReason(info: InfoResponse): string | null {
  if (info.ep !== 'cpu') return null;
  const cuda = info.eps.find((e) => e.name === 'cuda');
  return cuda?.note ?? 'the CUDA execution provider is not available on that machine';
}

function StatusLine() {
  const state = useCompanion((s) => s.state);
  const info = useCompanion((s) => s.info);
  const message = useCompanion((s) => s.message);
  const label =
    state === 'connected' ? 'connected' : state === 'wrong-token' ? 'wrong token' : state === 'not-found' ? 'not found' : state === 'checking' ? 'checking…' : state === 'error' ? 'error' : 'not connected';
  return (
    <div className="comp-status" data-testid="companion-status" data-state={state} data-ep={info?.ep ?? ''}>
      <div>
        <span className={`comp-dot ${state}`} aria-hidden /> <strong>{label}</strong>
        {info && state === 'connected' && (
          <>
            {' — '}
            <span data-testid="companion-ep">{epLabel(info)}</span> on <span data-testid="companion-device">{info.device.name}</span>
          </>
        )}
      </div>
      {info && state === 'connected' && (
        <div className="muted comp-small">
          onnxruntime-node <span data-testid="companion-ort">{info.versions.onnxruntime}</span> · companion {info.versions.companion} · Node{' '}
          {info.versions.node}
          {cpuReason(info) && (
            <div className="comp-small" data-testid="companion-cpu-reason" title={cpuReason(info)!}>
              CPU because: {cpuReason(info)}
            </div>
          )}
        </div>
      )}
      {message && state !== 'connected' && (
        <div className={`comp-small ${state === 'checking' ? 'muted' : 'comp-bad'}`} data-testid="companion-message">
          {message}
        </div>
      )}
    </div>
  );
}

function ConnectSection() {
  const url = useCompanion((s) => s.url);
  const token = useCompanion((s) => s.token);
  const state = useCompanion((s) => s.state);
  const [showToken, setShowToken] = useState(false);
  return (
    <form
      className="comp-connect"
      onSubmit={(event) => {
        event.preventDefault();
        void connect();
      }}
    >
      <label className="comp-field">
        <span>URL</span>
        <input
          type="text"
          value={url}
          spellCheck={false}
          placeholder="http://127.0.0.1:8765/?token=…"
          title="The companion's address; pasting the whole URL it printed fills in the token too"
          data-testid="companion-url"
          onChange={(e) => setUrlText(e.target.value)}
        />
      </label>
      <label className="comp-field">
        <span>token</span>
        <input
          type={showToken ? 'text' : 'password'}
          value={token}
          spellCheck={false}
          autoComplete="off"
          data-testid="companion-token"
          onChange={(e) => setToken(e.target.value)}
          onFocus={() => setShowToken(true)}
          onBlur={() => setShowToken(false)}
        />
      </label>
      <div className="comp-row">
        <button type="submit" data-testid="companion-connect" disabled={state === 'checking'}>
          {state === 'connected' ? 'Check again' : 'Connect'}
        </button>
        <span className="muted comp-small">
          Paste the URL <code>npm run companion</code> printed.
        </span>
      </div>
    </form>
  );
}

function TimingRow({ where, ep, model, median, p90, speedup, testId }: {
  where: string;
  ep: string;
  model: string;
  median: number;
  p90: number;
  speedup?: number;
  testId?: string;
}) {
  return (
    <tr data-testid={testId} data-ep={ep} data-median={median} data-p90={p90} data-speedup={speedup ?? ''}>
      <td title={where === 'companion' ? 'on the companion (onnxruntime-node)' : 'in this browser (onnxruntime-web, precision panel)'}>
        <span className={`tag comp-where ${where}`}>{ep}</span>
      </td>
      <td>{model}</td>
      <td className="mono">{num(median)} ms</td>
      <td className="mono">{num(p90)} ms</td>
      <td className="mono">{speedup === undefined ? '' : `×${num(speedup)}`}</td>
    </tr>
  );
}

function TimingsTable({ result }: { result: CompanionResult | null }) {
  const browser = usePrecision((s) => s.realRun);
  const browserDims = usePrecision((s) => s.dims);
  if (!result && !browser) return null;
  const ep = result ? (result.fp32.ep === 'cuda' ? 'CUDA' : 'CPU') : '';
  return (
    <table className="comp-table" data-testid="companion-timings">
      <thead>
        <tr>
          <th title="companion: CUDA / CPU; browser: WebGPU / wasm">EP</th>
          <th>model</th>
          <th>median</th>
          <th>p90</th>
          <th title="fp32 median / converted median">speed-up</th>
        </tr>
      </thead>
      <tbody>
        {result && (
          <>
            <TimingRow where="companion" ep={ep} model="fp32" median={result.fp32.medianMs} p90={result.fp32.p90Ms} testId="companion-fp32" />
            <TimingRow
              where="companion"
              ep={ep}
              model="fp16"
              median={result.fp16.medianMs}
              p90={result.fp16.p90Ms}
              speedup={result.speedup}
              testId="companion-fp16"
            />
          </>
        )}
        {browser && (
          <>
            <TimingRow where="browser" ep={browser.fp32.ep} model="fp32" median={browser.fp32.median} p90={browser.fp32.p90} testId="browser-fp32" />
            <TimingRow
              where="browser"
              ep={browser.fp16.ep}
              model="fp16"
              median={browser.fp16.median}
              p90={browser.fp16.p90}
              speedup={browser.fp32.median / browser.fp16.median}
              testId="browser-fp16"
            />
          </>
        )}
      </tbody>
      {browser && (
        <caption className="muted comp-small">
          webgpu / wasm rows: the precision panel&apos;s last real run in this browser (its dims:{' '}
          {Object.entries(browserDims)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ') || 'none'}
          )
        </caption>
      )}
    </table>
  );
}

function ErrorsTable({ result }: { result: CompanionResult }) {
  const browser = usePrecision((s) => s.realRun);
  const browserByName = new Map((browser?.outputs ?? []).map((o) => [o.name, o] as const));
  return (
    <ErrorMetricsTable
      rows={result.outputs}
      testId="companion-errors"
      className="comp-table"
      badClass="comp-bad"
      titles={{ maxAbs: 'largest |fp32 - converted| on the companion', maxRel: 'largest |fp32 - converted| / |fp32|', nonFinite: "inf/NaN in the converted model's output" }}
      extra={
        browser
          ? {
              header: <th title="max abs of the same output in the browser's real run (precision panel)">browser max abs</th>,
              cell: (row) => <td className="mono">{browserByName.has(row.name) ? num(browserByName.get(row.name)!.maxAbs) : '—'}</td>,
            }
          : undefined
      }
    />
  );
}

function RunSection() {
  const model = useApp((s) => s.model);
  const recipe = useApp((s) => s.recipe);
  const dims = useCompanion((s) => s.dims);
  const runs = useCompanion((s) => s.runs);
  const warmup = useCompanion((s) => s.warmup);
  const pending = useCompanion((s) => s.pending);
  const progress = useCompanion((s) => s.progress);
  const result = useCompanion((s) => s.result);
  const error = useCompanion((s) => s.error);
  const state = useCompanion((s) => s.state);
  const browserRun = usePrecision((s) => s.realRun);
  const names = symbolicDims();
  const shown = result && result.modelSeq === model?.seq ? result : null;
  const stale = shown && shown.recipe !== JSON.stringify(recipe);
  const worstAbs = shown ? Math.max(0, ...shown.outputs.map((o) => o.maxAbs)) : 0;
  const worstCos = shown ? Math.min(1, ...shown.outputs.map((o) => o.cosine)) : 1;
  const nonFinite = shown ? shown.outputs.reduce((n, o) => n + o.nonFinite, 0) : 0;
  return (
    <div className="comp-run">
      <div className="section-title">time on the companion</div>
      <div className="comp-row">
        {names.map((name) => (
          <label key={name} className="comp-field small">
            <span className="mono">{name}</span>
            <input type="number" min={1} value={dims[name] ?? defaultDim(name)} data-testid={`companion-dim-${name}`} onChange={(e) => setDim(name, Number(e.target.value))} />
          </label>
        ))}
        <label className="comp-field small">
          <span>runs</span>
          <input type="number" min={1} value={runs} data-testid="companion-runs" onChange={(e) => useCompanion.setState({ runs: Math.max(1, Number(e.target.value) | 0) })} />
        </label>
        <label className="comp-field small">
          <span>warm-up</span>
          <input type="number" min={0} value={warmup} data-testid="companion-warmup" onChange={(e) => useCompanion.setState({ warmup: Math.max(0, Number(e.target.value) | 0) })} />
        </label>
      </div>
      <div className="comp-row">
        <button type="button" className="primary" data-testid="companion-run" disabled={pending || state === 'checking'} onClick={() => void runTiming()}>
          {pending ? 'Timing…' : 'Time on companion'}
        </button>
        {pending && (
          <button type="button" data-testid="companion-cancel" onClick={cancelTiming}>
            Cancel
          </button>
        )}
        {pending && <span className="muted comp-small">{progress}</span>}
      </div>
      {error && (
        <div className="comp-bad comp-small" data-testid="companion-error-message" role="alert">
          {error}
        </div>
      )}
      {shown && (
        <div className={stale ? 'comp-stale' : ''} data-testid="companion-result" data-speedup={shown.speedup} data-max-abs={worstAbs} data-cosine={worstCos}>
          <div className="comp-summary">
            <span>
              speed-up <strong data-testid="companion-speedup">×{num(shown.speedup)}</strong>
            </span>
            <span>
              error max abs <strong data-testid="companion-error">{num(worstAbs)}</strong>
            </span>
            <span>
              cosine <strong>{worstCos.toFixed(6)}</strong>
            </span>
            {nonFinite > 0 && <span className="comp-bad">{nonFinite} inf/NaN</span>}
          </div>
          {stale && <div className="muted comp-small">The recipe changed since: run again for the current one.</div>}
        </div>
      )}
      <TimingsTable result={shown} />
      {shown && (
        <>
          <div className="muted comp-small">
            {shown.fp32.runs} runs after {shown.fp32.warmup} warm-up runs, dims{' '}
            {Object.entries(shown.dims)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ') || 'none'}
            , seed 0; fp32 {formatBytes(shown.fp32Bytes)}, converted {formatBytes(shown.fp16Bytes)}
            {shown.fp32.fallback ? ` · CPU fallback: ${shown.fp32.fallback}` : ''}
          </div>
          <ErrorsTable result={shown} />
        </>
      )}
      {!browserRun && (
        <div className="muted comp-small">Browser (WebGPU/wasm) timings join this table after a real run in the precision panel above.</div>
      )}
    </div>
  );
}

export function CompanionPanel() {
  const hasModel = useApp((s) => s.model !== null);
  const open = useCompanion((s) => s.open);
  const state = useCompanion((s) => s.state);
  const info = useCompanion((s) => s.info);
  useEffect(() => {
    const { token, state: now } = useCompanion.getState();
    if (now === 'idle' && (token || OPENED_WITH_COMPANION)) void connect();
  }, []);
  if (!hasModel) return null;
  return (
    <section className="companion-panel" data-testid="companion-panel" data-open={open}>
      <button
        type="button"
        className="comp-header"
        aria-expanded={open}
        data-testid="companion-toggle"
        onClick={() => {
          useCompanion.setState({ open: !open });
          saveConnection();
        }}
      >
        <span>{open ? '▾' : '▸'} companion — CUDA / CPU timings</span>
        <span className={`comp-pill ${state}`}>{state === 'connected' && info ? epLabel(info) : state === 'idle' ? 'off' : state.replace('-', ' ')}</span>
      </button>
      {open && (
        <div className="comp-body">
          <ConnectSection />
          <StatusLine />
          <RunSection />
        </div>
      )}
    </section>
  );
}
