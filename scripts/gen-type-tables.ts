// Generates src/core/types/schema-table.generated.ts from the op-schema dumps in data/ (copies of
// shared/data, so the project builds on its own), plus the ai.onnx ops onnxruntime registers below their
// onnx opset, derived from its kernel tables (scripts/ort-onnx-domain-schemas.ts). The table ships to the browser, so it is one compact JSON
// string parsed once at first use: per domain and op type, every schema version with its formal inputs and
// outputs and its type constraints as lists of type codes (src/core/types/type-codes.ts).
//
// Run: npx tsx scripts/gen-type-tables.ts            (writes the table)
//      npx tsx scripts/gen-type-tables.ts --check    (exits 1 when the committed table is stale)
//
// Format (decoded by src/core/types/schema.ts):
//   { "lists": number[][],                        deduplicated allowed-type lists
//     "ops": { domain: { opType: Version[] } } }  domain '' is ai.onnx; versions ascending
//   Version = [sinceVersion, inputs: Formal[], outputs: Formal[], constraints: { param: listIndex }, deprecated?: 1]
//   Formal  = "name:ref" + suffix, ref = type parameter name or "#<type code>" for a type the spec fixes,
//             suffix '' single, '?' optional, '*' variadic (one type for all), '~' variadic, one type each
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTypeString } from '../src/core/index';
import { block, parseOperatorKernels, SOURCE_MD } from './gen-ep-kernels';
import { ortOnnxDomainSchemas, type RawFormal, type RawSchema } from './ort-onnx-domain-schemas';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ONNX_FILE = join(root, 'data/onnx-op-schemas.json');
const ORT_FILE = join(root, 'data/ort-contrib-op-schemas.json');
const OUT_FILE = join(root, 'src/core/types/schema-table.generated.ts');

// The dumps leave out FormalParameter.is_homogeneous. These are every variadic parameter declared with
// is_homogeneous = false in onnx 1.23.1 (onnx.defs) and onnxruntime 1.30.0 (get_all_operator_schema):
// their positions each have their own type, unlike Concat's or Max's inputs, which share one.
const HETEROGENEOUS: Readonly<Record<string, readonly string[]>> = {
  'ai.onnx/If': ['outputs'],
  'ai.onnx/Loop': ['v_initial', 'v_final_and_scan_outputs'],
  'ai.onnx/Scan': ['initial_state_and_scan_inputs', 'final_state_and_scan_outputs'],
  'ai.onnx/SequenceMap': ['additional_inputs', 'out_sequence'],
  'ai.onnx.preview.training/Adagrad': ['inputs', 'outputs'],
  'ai.onnx.preview.training/Adam': ['inputs', 'outputs'],
  'ai.onnx.preview.training/Momentum': ['inputs', 'outputs'],
  'ai.onnx.preview.training/Gradient': ['Inputs', 'Outputs'],
  'com.microsoft/EPContext': ['inputs', 'outputs'],
  'com.microsoft/QLinearConcat': ['inputs'],
};

function readSchemas(file: string): { version: string; schemas: RawSchema[] } {
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const version = String(json.onnx_version ?? json.onnxruntime_version ?? '?');
  return { version, schemas: json.schemas as RawSchema[] };
}

/** The table's JSON. `strict`: fail when HETEROGENEOUS names a parameter no schema has (the data drifted). */
export function buildSchemaTable(sources: RawSchema[][], strict = false): string {
  const lists: number[][] = [];
  const listIndex = new Map<string, number>();
  const internList = (codes: number[]) => {
    const key = codes.join(',');
    let i = listIndex.get(key);
    if (i === undefined) {
      i = lists.push(codes) - 1;
      listIndex.set(key, i);
    }
    return i;
  };

  // First source wins for a (domain, op, version) both define: onnx's own ai.onnx.ml schemas over the copies
  // onnxruntime registers.
  const byKey = new Map<string, RawSchema>();
  for (const schemas of sources) {
    for (const s of schemas) {
      const key = `${s.domain}/${s.name}/${s.since_version}`;
      if (!byKey.has(key)) byKey.set(key, s);
    }
  }
  const seenHeterogeneous = new Set<string>();
  const ops: Record<string, Record<string, unknown[][]>> = {};
  const sorted = [...byKey.values()].sort(
    (a, b) => cmp(a.domain, b.domain) || cmp(a.name, b.name) || a.since_version - b.since_version,
  );
  for (const s of sorted) {
    const params = new Set(s.type_constraints.map((c) => c.param));
    const hetero = HETEROGENEOUS[`${s.domain}/${s.name}`] ?? [];
    const formal = (f: RawFormal) => {
      if (f.name.includes(':')) throw new Error(`Formal name with ':' in ${s.name}: ${f.name}`);
      const ref = params.has(f.type_str) ? f.type_str : `#${parseTypeString(f.type_str)}`;
      let suffix = f.option === 'Optional' ? '?' : f.option === 'Variadic' ? '*' : '';
      if (f.option === 'Variadic' && hetero.includes(f.name)) {
        suffix = '~';
        seenHeterogeneous.add(`${s.domain}/${s.name}/${f.name}`);
      }
      return `${f.name}:${ref}${suffix}`;
    };
    const constraints: Record<string, number> = {};
    for (const c of [...s.type_constraints].sort((a, b) => cmp(a.param, b.param))) {
      constraints[c.param] = internList(c.allowed.map(parseTypeString));
    }
    const domain = s.domain === 'ai.onnx' ? '' : s.domain;
    const version: unknown[] = [s.since_version, s.inputs.map(formal), s.outputs.map(formal), constraints];
    if (s.deprecated) version.push(1);
    ((ops[domain] ??= {})[s.name] ??= []).push(version);
  }
  for (const [op, names] of strict ? Object.entries(HETEROGENEOUS) : []) {
    for (const name of names) {
      if (![...seenHeterogeneous].some((k) => k.startsWith(`${op}/`) && k.endsWith(`/${name}`))) {
        throw new Error(`HETEROGENEOUS lists ${op}.${name}, which no schema has: update the list`);
      }
    }
  }
  return JSON.stringify({ lists, ops });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A single-quoted literal: the JSON has no quote or backslash to escape, which keeps the file small. */
function quote(json: string): string {
  if (/['\\\n]/.test(json)) return JSON.stringify(json);
  return `'${json}'`;
}

function render(table: string, onnxVersion: string, ortVersion: string): string {
  return [
    '// GENERATED by scripts/gen-type-tables.ts from data/onnx-op-schemas.json, data/ort-contrib-op-schemas.json and',
    '// the ai.onnx ops onnxruntime registers where onnx has none (data/ort-ep-kernels.source.md).',
    '// Do not edit: change the data or the script and run `npx tsx scripts/gen-type-tables.ts`.',
    '// Format: see the header of scripts/gen-type-tables.ts; decoded by ./schema.ts.',
    '',
    `export const SCHEMA_SOURCES = { onnx: ${JSON.stringify(onnxVersion)}, onnxruntime: ${JSON.stringify(ortVersion)} } as const;`,
    '',
    `export const SCHEMA_TABLE_JSON =\n  ${quote(table)};`,
    '',
  ].join('\n');
}

/**
 * The ai.onnx schemas onnxruntime registers where onnx has none (LayerNormalization from opset 1, ...),
 * derived from its kernel tables: scripts/ort-onnx-domain-schemas.ts says how and why.
 */
export function ortRegisteredOnnxSchemas(onnxSchemas: readonly RawSchema[]): RawSchema[] {
  const first = new Map<string, number>();
  for (const s of onnxSchemas) {
    if (s.domain !== '' && s.domain !== 'ai.onnx') continue;
    first.set(s.name, Math.min(first.get(s.name) ?? Infinity, s.since_version));
  }
  const rows = parseOperatorKernels(block(readFileSync(SOURCE_MD, 'utf8'), 'microsoft/onnxruntime docs/OperatorKernels.md'));
  return ortOnnxDomainSchemas(rows, first);
}

/** The generated file's full text, from the data files. */
export function generateSchemaTableFile(): string {
  const onnx = readSchemas(ONNX_FILE);
  const ort = readSchemas(ORT_FILE);
  const registered = ortRegisteredOnnxSchemas(onnx.schemas);
  return render(buildSchemaTable([onnx.schemas, ort.schemas, registered], true), onnx.version, ort.version);
}

export const SCHEMA_TABLE_FILE = OUT_FILE;

function main(): void {
  const text = generateSchemaTableFile();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUT_FILE, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${OUT_FILE} is stale: run npx tsx scripts/gen-type-tables.ts`);
      process.exit(1);
    }
    console.log('schema table up to date');
    return;
  }
  writeFileSync(OUT_FILE, text);
  console.log(`wrote ${OUT_FILE} (${text.length} bytes)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
