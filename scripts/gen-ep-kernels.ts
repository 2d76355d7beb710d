// Generates src/core/types/ep-kernels.generated.ts: per onnxruntime execution provider, domain and op, the
// opset ranges that have a kernel and which of the kernel's type parameters admit tensor(float16), and which
// admit tensor(bfloat16). That is what decides whether a node can run in the recipe's low precision (fp16 or
// bf16) on the target EP or must stay fp32.
//
// Source, in order of preference:
//   1. ../shared/data/ort-ep-kernels.json, when it exists (the project's shared data set);
//   2. data/ort-ep-kernels.source.md: onnxruntime's docs/OperatorKernels.md (CPU, CUDA, DirectML) and
//      js/web/docs/webgpu-operators.md (WebGPU) copied unchanged; see the comment at its top.
//
// Run: npx tsx scripts/gen-ep-kernels.ts [--check]
//
// Output format (decoded by src/core/types/ep-kernels.ts):
//   { ep: { domain: { opType: Row[] } } }   ep in cpu|cuda|dml|webgpu, domain '' for ai.onnx, rows by start
//   Row = [start, end, float16Params, bfloat16Params]
//                                            end 0 = no upper bound; float16Params = comma-separated type
//                                            parameters that admit tensor(float16), '' none, '*' types unknown
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED_JSON = join(root, '..', 'shared', 'data', 'ort-ep-kernels.json');
export const SOURCE_MD = join(root, 'data', 'ort-ep-kernels.source.md');
const OUT_FILE = join(root, 'src', 'core', 'types', 'ep-kernels.generated.ts');
/** EP_KERNELS_SOURCE of a table generated from the shared JSON. */
export const SHARED_SOURCE = 'shared/data/ort-ep-kernels.json';

export type Ep = 'cpu' | 'cuda' | 'dml' | 'webgpu';

/** One kernel registration: an opset range and the float16-capable type parameters ('*': unknown types). */
export interface KernelRow {
  ep: Ep;
  domain: string;
  op: string;
  start: number;
  /** Inclusive end; undefined when open ("13+"), resolved against the op's next registration later. */
  end: number | undefined;
  float16Params: string;
  /** The same for tensor(bfloat16); '' for WebGPU, whose shaders have no bfloat16 type. */
  bfloat16Params: string;
  /** OperatorKernels.md only: the op's Parameters cell ("*in* X:**T**<br> ...") and this row's Types cell. */
  parameters?: string;
  types?: string;
}

const EP_BY_PROVIDER: Readonly<Record<string, Ep>> = {
  CPUExecutionProvider: 'cpu',
  CUDAExecutionProvider: 'cuda',
  DmlExecutionProvider: 'dml',
  JsExecutionProvider: 'webgpu',
  WebGpuExecutionProvider: 'webgpu',
};

function normalizeDomain(domain: string): string {
  return !domain || domain === 'ai.onnx' ? '' : domain;
}

/** The text between `<!-- BEGIN <label> ... -->` and `<!-- END <label> -->`. */
export function block(text: string, label: string): string {
  const begin = text.indexOf(`<!-- BEGIN ${label}`);
  const end = text.indexOf(`<!-- END ${label}`);
  if (begin < 0 || end < begin) throw new Error(`${SOURCE_MD}: no block for ${label}`);
  return text.slice(text.indexOf('\n', begin) + 1, end);
}

/** "T = tensor(float), tensor(float16)<br/> U = ..." -> type parameters whose list has tensor(<type>). */
function paramsOf(typesCell: string, type: 'float16' | 'bfloat16'): string {
  const params: string[] = [];
  const has = new RegExp(`(^|[ ,])tensor\\(${type}\\)`);
  for (const part of typesCell.split('<br/>')) {
    const m = /^\s*\*\*([^*]+)\*\*\s*=\s*(.*)$/.exec(part);
    if (!m) throw new Error(`Unparsable types cell part '${part}'`);
    if (has.test(m[2])) params.push(m[1]);
  }
  return params.sort().join(',');
}

/** Rows of docs/OperatorKernels.md: "| Op | Parameters | OpSet Version | Types Supported |". */
export function parseOperatorKernels(markdown: string): KernelRow[] {
  const rows: KernelRow[] = [];
  let ep: Ep | undefined;
  let domain = '';
  let op = '';
  let parameters = '';
  for (const line of markdown.split('\n')) {
    const heading = /^## Operators implemented by (\w+)/.exec(line);
    if (heading) {
      ep = EP_BY_PROVIDER[heading[1]];
      if (!ep) throw new Error(`Unknown execution provider ${heading[1]}`);
      continue;
    }
    const domainRow = /^\|\*\*Operator Domain:\*\* \*([^*]+)\*\|/.exec(line);
    if (domainRow) {
      domain = normalizeDomain(domainRow[1]);
      continue;
    }
    if (!ep || !line.startsWith('|') || line.startsWith('| Op Name') || line.startsWith('|---')) continue;
    const cells = line.split('|');
    if (cells.length < 6) continue; // the "| |" spacer rows
    if (cells[1]) [op, parameters] = [cells[1], cells[2]];
    const version = cells[3];
    let start: number;
    let end: number | undefined;
    const range = /^\[(\d+), (\d+)\]$/.exec(version);
    if (range) [start, end] = [Number(range[1]), Number(range[2])];
    else if (/^\d+\+$/.test(version)) start = Number(version.slice(0, -1));
    else if (/^\d+$/.test(version)) start = end = Number(version);
    else throw new Error(`Unparsable opset version '${version}' for ${op}`);
    rows.push({ ep, domain, op, start, end, float16Params: paramsOf(cells[4], 'float16'), bfloat16Params: paramsOf(cells[4], 'bfloat16'), parameters, types: cells[4] });
  }
  return rows;
}

/** Rows of js/web/docs/webgpu-operators.md: "| Op | ai.onnx(6-12,13+); com.ms.internal.nhwc(11+) | notes |". */
export function parseWebGpuOperators(markdown: string): KernelRow[] {
  const rows: KernelRow[] = [];
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !/^[A-Za-z]/.test(cells[1]) || cells[1] === 'Operator') continue;
    const op = cells[1];
    for (const spec of cells[2].split(';')) {
      const m = /^\s*([\w.]+)\(([^)]*)\)\s*$/.exec(spec);
      if (!m) throw new Error(`Unparsable WebGPU opset '${spec}' for ${op}`);
      for (const r of m[2].split(',')) {
        const span = /^(\d+)(?:-(\d+)|(\+))?$/.exec(r.trim());
        if (!span) throw new Error(`Unparsable WebGPU range '${r}' for ${op}`);
        const start = Number(span[1]);
        const end = span[3] ? undefined : Number(span[2] ?? span[1]);
        // The list names no element types; '*' says so (ep-kernels.ts documents how it is read). WGSL has
        // no bfloat16 type, so no WebGPU kernel takes it.
        rows.push({ ep: 'webgpu', domain: normalizeDomain(m[1]), op, start, end, float16Params: '*', bfloat16Params: '' });
      }
    }
  }
  return rows;
}

/**
 * Rows of a JSON source. Accepted shapes: an array of entries, or { provider: entries[] }, or
 * { provider: { domain: { op: entries[] } } }, where an entry has the op and range under common names:
 * op|op_type|name, domain, provider|ep, since_version|start|version_range[0], end_version|end|version_range[1],
 * and its types as type_constraints|types: { param: string[] } or string[].
 */
export function parseKernelJson(json: unknown): KernelRow[] {
  const rows: KernelRow[] = [];
  const add = (entry: Record<string, unknown>, ctx: { provider?: string; domain?: string; op?: string }) => {
    const provider = String(entry.provider ?? entry.ep ?? entry.execution_provider ?? ctx.provider ?? '');
    const ep = EP_BY_PROVIDER[provider] ?? (['cpu', 'cuda', 'dml', 'webgpu'].includes(provider) ? (provider as Ep) : undefined);
    if (!ep) return; // providers this project does not target
    const range = entry.version_range as number[] | undefined;
    const start = Number(entry.since_version ?? entry.start ?? range?.[0]);
    const rawEnd = entry.end_version ?? entry.end ?? range?.[1];
    const end = rawEnd === undefined || rawEnd === null || Number(rawEnd) >= 2147483647 ? undefined : Number(rawEnd);
    const types = (entry.type_constraints ?? entry.types) as Record<string, string[]> | string[] | undefined;
    const op = String(entry.op ?? entry.op_type ?? entry.name ?? ctx.op ?? '');
    if (!op || !Number.isFinite(start)) throw new Error(`ort-ep-kernels.json: entry without op or start: ${JSON.stringify(entry)}`);
    const paramsWith = (type: string) => {
      if (Array.isArray(types)) return types.includes(type) ? 'T' : '';
      if (types) return Object.keys(types).filter((p) => types[p].includes(type)).sort().join(',');
      return '*';
    };
    rows.push({ ep, domain: normalizeDomain(String(entry.domain ?? ctx.domain ?? '')), op, start, end, float16Params: paramsWith('tensor(float16)'), bfloat16Params: paramsWith('tensor(bfloat16)') });
  };
  const walk = (node: unknown, ctx: { provider?: string; domain?: string; op?: string }, depth: number) => {
    if (Array.isArray(node)) {
      for (const e of node) add(e as Record<string, unknown>, ctx);
    } else if (node && typeof node === 'object' && depth < 3) {
      for (const [key, value] of Object.entries(node)) {
        const next = depth === 0 ? { provider: key } : depth === 1 ? { ...ctx, domain: key } : { ...ctx, op: key };
        walk(value, next, depth + 1);
      }
    } else {
      throw new Error('ort-ep-kernels.json: unrecognized shape; teach parseKernelJson about it');
    }
  };
  walk(json, {}, 0);
  return rows;
}

type TableRow = [number, number, string, string];
type Table = Record<string, Record<string, Record<string, TableRow[]>>>;

/** Groups rows and closes open ranges: "N+" lasts until the op's next registration on that EP starts. */
export function buildKernelTable(rows: KernelRow[]): Table {
  const table: Table = {};
  for (const r of rows) (((table[r.ep] ??= {})[r.domain] ??= {})[r.op] ??= []).push([r.start, r.end ?? 0, r.float16Params, r.bfloat16Params]);
  const sortedKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  const out: Table = {};
  for (const ep of Object.keys(table).sort()) {
    out[ep] = {};
    for (const [domain, ops] of Object.entries(sortedKeys(table[ep]))) {
      out[ep][domain] = {};
      for (const [op, list] of Object.entries(sortedKeys(ops))) {
        const starts = list.map((r) => r[0]);
        out[ep][domain][op] = list
          .map(([start, end, params, bfParams]): TableRow => {
            if (end) return [start, end, params, bfParams];
            const next = Math.min(...starts.filter((s) => s > start));
            return [start, Number.isFinite(next) ? next - 1 : 0, params, bfParams];
          })
          .sort((a, b) => a[0] - b[0]);
      }
    }
  }
  return out;
}

function loadRows(useShared: boolean): { rows: KernelRow[]; source: string } {
  if (useShared && existsSync(SHARED_JSON)) {
    return { rows: parseKernelJson(JSON.parse(readFileSync(SHARED_JSON, 'utf8'))), source: SHARED_SOURCE };
  }
  const text = readFileSync(SOURCE_MD, 'utf8');
  const kernels = block(text, 'microsoft/onnxruntime docs/OperatorKernels.md');
  const webgpu = block(text, 'microsoft/onnxruntime js/web/docs/webgpu-operators.md');
  const commits = [...text.matchAll(/<!-- BEGIN microsoft\/onnxruntime (\S+) @ ([0-9a-f]+) -->/g)].map((m) => `${m[1]}@${m[2].slice(0, 12)}`);
  return { rows: [...parseOperatorKernels(kernels), ...parseWebGpuOperators(webgpu)], source: `onnxruntime ${commits.join(', ')}` };
}

function render(table: Table, source: string): string {
  return [
    '// GENERATED by scripts/gen-ep-kernels.ts from data/ort-ep-kernels.source.md (or shared/data/ort-ep-kernels.json).',
    '// Do not edit: refresh the source and run `npx tsx scripts/gen-ep-kernels.ts`. Format: see that script; read by ./ep-kernels.ts.',
    '',
    `export const EP_KERNELS_SOURCE = ${JSON.stringify(source)};`,
    '',
    `export const EP_KERNELS_JSON =\n  '${JSON.stringify(table)}';`,
    '',
  ].join('\n');
}

/** The generated file's full text, from the shared JSON when it exists (and `useShared`), else the markdown. */
export function generateEpKernelsFile(useShared = true): { text: string; rows: number; source: string } {
  const { rows, source } = loadRows(useShared);
  const table = buildKernelTable(rows);
  if (/['\\\n]/.test(JSON.stringify(table))) throw new Error('Kernel table needs escaping; render it with JSON.stringify');
  return { text: render(table, source), rows: rows.length, source };
}

export const EP_KERNELS_FILE = OUT_FILE;

function main(): void {
  const { text, rows, source } = generateEpKernelsFile();
  if (process.argv.includes('--check')) {
    const current = existsSync(OUT_FILE) ? readFileSync(OUT_FILE, 'utf8') : '';
    if (current !== text) {
      console.error(`${OUT_FILE} is stale: run npx tsx scripts/gen-ep-kernels.ts`);
      process.exit(1);
    }
    console.log('EP kernel table up to date');
    return;
  }
  writeFileSync(OUT_FILE, text);
  console.log(`wrote ${OUT_FILE} (${text.length} bytes, ${rows} kernel rows from ${source})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
