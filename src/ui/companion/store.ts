// The companion panel's state, apart from the app's store: where the companion is (URL remembered in
// localStorage, token in sessionStorage; `?companion=<printed URL>` or the companion's own `#companion=...&token=...` link overrides it
// at start), what its /info said, and the last timing job.

import { create } from 'zustand';
import type { ErrorStats } from '../../companion/shared/compare';
import { DEFAULT_PORT, type BenchResponse, type InfoResponse } from '../../companion/shared/protocol';

const DEFAULT_COMPANION_URL = `http://127.0.0.1:${DEFAULT_PORT}`;
const STORAGE_KEY = 'castaway.companion';

export type ConnectionState = 'idle' | 'checking' | 'connected' | 'wrong-token' | 'not-found' | 'error';

export interface CompanionResult {
  /** LoadedModel.seq and JSON of the recipe the converted model was made with. */
  modelSeq: number;
  recipe: string;
  dims: Record<string, number>;
  fp32: BenchResponse;
  fp16: BenchResponse;
  /** fp32 median / converted median. */
  speedup: number;
  /** Error of the converted model's outputs against the fp32 model's, same inputs (seed 0). */
  outputs: ({ name: string } & ErrorStats)[];
  fp32Bytes: number;
  fp16Bytes: number;
}

export interface CompanionState {
  /** Base URL, e.g. http://127.0.0.1:8765. */
  url: string;
  token: string;
  /** Section expanded. */
  open: boolean;
  state: ConnectionState;
  info: InfoResponse | null;
  /** What went wrong with the connection (not-found / wrong-token / error). */
  message: string | null;
  /** Sizes for symbolic dims by name (the model's own names); batch-like default 1, others 128. */
  dims: Record<string, number>;
  runs: number;
  warmup: number;
  pending: boolean;
  progress: string;
  result: CompanionResult | null;
  /** The last job's failure, shown in the panel. */
  error: string | null;
  /** Increments when a job ends (success or failure); tests wait on it. */
  jobSeq: number;
}

interface Saved {
  url?: string;
  token?: string;
  open?: boolean;
}

// The URL and whether the section is open persist (localStorage); the token lives for this tab's session only
// (sessionStorage): another page served later from an allowed origin (any dev server on port 5173) shares
// localStorage with the app and could read a token kept there.
const TOKEN_KEY = 'castaway.companion.token';

function load(): Saved {
  try {
    const text = globalThis.localStorage?.getItem(STORAGE_KEY);
    const saved = text ? (JSON.parse(text) as Saved) : {};
    delete saved.token; // written there by earlier versions: never read it back
    const token = globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? undefined;
    return token ? { ...saved, token } : saved;
  } catch {
    return {};
  }
}

export function saveConnection(): void {
  const { url, token, open } = useCompanion.getState();
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, JSON.stringify({ url, open } satisfies Saved));
    if (token) globalThis.sessionStorage?.setItem(TOKEN_KEY, token);
    else globalThis.sessionStorage?.removeItem(TOKEN_KEY);
  } catch {
    // storage full or disabled: the panel still works for this visit
  }
}

/**
 * Splits what the user typed or pasted: the printed `http://127.0.0.1:PORT/?token=...`, the companion's app
 * link `...#companion=<base>&token=...`, or a bare base URL (token undefined). Throws on what is no URL.
 */
export function parseCompanionInput(text: string): { url: string; token?: string } {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  const parsed = new URL(withScheme);
  const hash = new URLSearchParams(parsed.hash.replace(/^#/, ''));
  const linked = hash.get('companion');
  if (linked) return { url: parseCompanionInput(linked).url, token: hash.get('token') ?? undefined };
  const token = parsed.searchParams.get('token') ?? hash.get('token') ?? undefined;
  return { url: `${parsed.protocol}//${parsed.host}`, token: token || undefined };
}

/** `?companion=<url with token>` (optionally `&token=`) or `#companion=<url>&token=` in the app's own URL. */
function fromPageUrl(): { url: string; token?: string } | null {
  const location = globalThis.location;
  if (!location) return null;
  try {
    const query = new URLSearchParams(location.search);
    const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
    const source = query.get('companion') ? query : hash.get('companion') ? hash : null;
    if (!source) return null;
    const found = parseCompanionInput(source.get('companion')!);
    const token = found.token ?? source.get('token') ?? undefined;
    // The token should not stay in the address bar (history, screenshots, shared links).
    for (const params of [query, hash]) {
      params.delete('companion');
      params.delete('token');
    }
    const search = query.toString();
    const rest = hash.toString();
    globalThis.history?.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}${rest ? `#${rest}` : ''}`);
    return { url: found.url, token };
  } catch {
    return null;
  }
}

function initial(): Pick<CompanionState, 'url' | 'token' | 'open'> & { fromPage: boolean } {
  const saved = load();
  const page = fromPageUrl();
  return {
    url: page?.url ?? saved.url ?? DEFAULT_COMPANION_URL,
    token: page?.token ?? saved.token ?? '',
    open: page ? true : (saved.open ?? false),
    fromPage: page !== null,
  };
}

const start = initial();
/** The app was opened with a companion address: connect as soon as the panel shows. */
export const OPENED_WITH_COMPANION = start.fromPage;

export const useCompanion = create<CompanionState>(() => ({
  url: start.url,
  token: start.token,
  open: start.open,
  state: 'idle',
  info: null,
  message: null,
  dims: {},
  runs: 20,
  warmup: 5,
  pending: false,
  progress: '',
  result: null,
  error: null,
  jobSeq: 0,
}));

if (start.fromPage) saveConnection();
