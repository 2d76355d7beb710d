// Runs the whole ONNX backend node suite through Castaway and summarizes it (see backend-suite.ts for one case).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LowPrecision } from '../core/index';
import { TOLERANCE_FACTOR, convertBackendCase, listBackendCases, runBackendCase, type RunVerdict } from './backend-suite';
import { checkModels } from './onnx-checker';

export interface SuiteSummary {
  /** The low type every model was converted to. */
  low: LowPrecision;
  total: number;
  notFloat: number;
  refused: { name: string; reason: string }[];
  converted: number;
  checker: { ok: number; failed: { name: string; error: string }[]; skipped: number };
  /** The same models converted with keepIoTypes, checked only. */
  checkerKeepIo: { ok: number; failed: { name: string; error: string }[] };
  runs: Record<RunVerdict, string[]>;
  details: Record<string, string>;
}

export async function runSuite(filter?: (name: string) => boolean, low: LowPrecision = 'fp16'): Promise<SuiteSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-backend-'));
  const cases = listBackendCases().filter((n) => !filter || filter(n));
  const summary: SuiteSummary = {
    low,
    total: cases.length, notFloat: 0, refused: [], converted: 0,
    checker: { ok: 0, failed: [], skipped: 0 },
    checkerKeepIo: { ok: 0, failed: [] },
    runs: { 'fp16-within-tolerance': [], 'fp16-outside-tolerance': [], 'simulated-within-tolerance': [], 'simulated-outside-tolerance': [], 'random-shapes-match': [], 'not-run': [] },
    details: {},
  };
  const files: { name: string; file: string; bytes: Uint8Array }[] = [];
  for (const name of cases) {
    const c = convertBackendCase(name, { lowPrecision: low });
    if (c.outcome === 'not-float') summary.notFloat++;
    else if (c.outcome === 'refused') summary.refused.push({ name, reason: c.reason ?? '' });
    else {
      summary.converted++;
      const file = join(dir, `${name}.onnx`);
      writeFileSync(file, c.file!);
      files.push({ name, file, bytes: c.file! });
    }
  }
  for (const r of checkModels(files.map((f) => f.file))) {
    const name = files.find((f) => f.file === r.path)!.name;
    if (r.status === 'ok') summary.checker.ok++;
    else if (r.status === 'skipped') summary.checker.skipped++;
    else summary.checker.failed.push({ name, error: r.error ?? '' });
  }
  const keepIoFiles = files.map((f) => {
    const file = join(dir, `${f.name}.keep-io.onnx`);
    writeFileSync(file, convertBackendCase(f.name, { keepIoTypes: true, lowPrecision: low }).file!);
    return { name: f.name, file };
  });
  for (const r of checkModels(keepIoFiles.map((f) => f.file))) {
    const name = keepIoFiles.find((f) => f.file === r.path)!.name;
    if (r.status === 'error') summary.checkerKeepIo.failed.push({ name, error: r.error ?? '' });
    else summary.checkerKeepIo.ok++;
  }
  for (const f of files) {
    const result = await runBackendCase(f.name, f.bytes, low);
    summary.runs[result.verdict].push(f.name);
    if (result.detail) summary.details[f.name] = result.detail;
  }
  return summary;
}

/** The bf16 pass as a section of docs/backend-suite.md (its runs are all simulations, see backend-suite.ts). */
export function formatBf16Suite(s: SuiteSummary): string {
  const r = s.runs;
  const lines = [
    '## bf16 (`--low-precision bf16`)',
    '',
    'The same models converted with bfloat16 as the low type (`npx tsx scripts/backend-suite-report.ts --low-precision bf16 --write docs/backend-suite.md`; the test `src/node/backend-suite-bf16.test.ts`).',
    "onnxruntime's CPU EP has bfloat16 kernels for data movement only and onnxruntime-node cannot feed bfloat16 inputs, so",
    'every run is the bf16-simulated model (values rounded through Cast(bfloat16)), against the expected outputs with the',
    `fp16 tolerance widened ${TOLERANCE_FACTOR.bf16}x (bf16 keeps 8 significant bits to fp16's 11).`,
    '',
    '| | models |',
    '|---|---|',
    `| converted | ${s.converted} (refused ${s.refused.length}) |`,
    `| onnx.checker (full_check) accepts / rejects / skipped | ${s.checker.ok} / ${s.checker.failed.length} / ${s.checker.skipped} |`,
    `| with keepIoTypes: onnx.checker accepts / rejects | ${s.checkerKeepIo.ok} / ${s.checkerKeepIo.failed.length} |`,
    `| simulated bf16 within tolerance | ${r['simulated-within-tolerance'].length} |`,
    `| simulated bf16 outside tolerance | ${r['simulated-outside-tolerance'].length} |`,
    `| random ops: output shapes match | ${r['random-shapes-match'].length} |`,
    `| not run | ${r['not-run'].length} |`,
    '',
  ];
  const list = (title: string, items: string[]) => {
    if (!items.length) return;
    lines.push(`### ${title}`, '', ...items.map((x) => `- ${x.slice(0, 260)}`), '');
  };
  list('bf16: rejected by onnx.checker', s.checker.failed.map((x) => `${x.name}: ${x.error}`));
  list('bf16: rejected by onnx.checker (keepIoTypes)', s.checkerKeepIo.failed.map((x) => `${x.name}: ${x.error}`));
  list('bf16: simulated outputs outside tolerance', r['simulated-outside-tolerance'].map((n) => `${n}: ${(s.details[n] ?? '').replace(/^.*?\); /, '')}`));
  return `${lines.join('\n')}\n`;
}

export function formatSuite(s: SuiteSummary): string {
  const r = s.runs;
  const lines = [
    '# ONNX backend node tests (libonnx-testdata)',
    '',
    'Every model in `/usr/share/libonnx-testdata/data/node` converted by Castaway with no block list',
    '(`npx tsx scripts/backend-suite-report.ts --write docs/backend-suite.md`; the same run is a test in `src/node/backend-suite.test.ts`).',
    '',
    '| | models |',
    '|---|---|',
    `| test cases | ${s.total} |`,
    `| without any float32 value (nothing to convert) | ${s.notFloat} |`,
    `| refused with a typed error | ${s.refused.length} |`,
    `| converted | ${s.converted} |`,
    `| onnx.checker (full_check) accepts | ${s.checker.ok} |`,
    `| onnx.checker rejects | ${s.checker.failed.length} |`,
    `| converted with keepIoTypes: onnx.checker accepts / rejects | ${s.checkerKeepIo.ok} / ${s.checkerKeepIo.failed.length} |`,
    `| fp16 model runs on onnxruntime CPU, outputs within fp16 tolerance of the expected | ${r['fp16-within-tolerance'].length} |`,
    `| fp16 model runs, outputs outside tolerance | ${r['fp16-outside-tolerance'].length} |`,
    `| no CPU fp16 kernel: simulated fp16 model within tolerance | ${r['simulated-within-tolerance'].length} |`,
    `| no CPU fp16 kernel: simulated fp16 model outside tolerance | ${r['simulated-outside-tolerance'].length} |`,
    `| random ops (Bernoulli, training Dropout, ...): output shapes match | ${r['random-shapes-match'].length} |`,
    `| not run (inputs or ops onnxruntime cannot take) | ${r['not-run'].length} |`,
    '',
    "For comparison, onnxruntime 1.30's convert_float_to_float16 on the same suite (fixtures/README.md): the checker accepts 661 of 766 with default settings and 12 with keep_io_types=True.",
    '',
    'Tolerance: |got - expected| <= 1e-2 |expected| + 1e-2 max|expected| per element (fp16 keeps 11 significant bits).',
    '',
  ];
  const list = (title: string, names: string[]) => {
    if (!names.length) return;
    lines.push(`## ${title}`, '');
    for (const n of names) lines.push(`- ${n}${s.details[n] ? `: ${s.details[n].slice(0, 240)}` : ''}`);
    lines.push('');
  };
  if (s.refused.length) {
    lines.push('## Refused', '');
    for (const x of s.refused) lines.push(`- ${x.name}: ${x.reason.slice(0, 200)}`);
    lines.push('');
  }
  if (s.checker.failed.length) {
    lines.push('## Rejected by onnx.checker', '');
    for (const x of s.checker.failed) lines.push(`- ${x.name}: ${x.error.slice(0, 200)}`);
    lines.push('');
  }
  if (s.checkerKeepIo.failed.length) {
    lines.push('## Rejected by onnx.checker (keepIoTypes)', '');
    for (const x of s.checkerKeepIo.failed) lines.push(`- ${x.name}: ${x.error.slice(0, 200)}`);
    lines.push('');
  }
  list('fp16 outputs outside tolerance', r['fp16-outside-tolerance']);
  list('Simulated fp16 outputs outside tolerance', r['simulated-outside-tolerance']);
  list('Not run', r['not-run']);
  return `${lines.join('\n')}\n`;
}

