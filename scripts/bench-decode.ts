// Decode benchmark: writes a synthetic ONNX model of about `sizeBytes` (4 MiB fp32 initializers feeding a
// chain of Adds) to a temp dir, streaming it part by part so the generator never holds the whole file, then
// in a fresh child process reads the file and decodes it, reporting time and peak RSS against the file size.
// Budget: read + decode under 3 s, peak RSS under 1.5x the file.
//   npx tsx scripts/bench-decode.ts [sizeBytes]     (default 1 GiB; prints one JSON line)
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Long from 'long';
import type { GraphProto, TensorProto } from '../src/core/index';
import { decodeModel, encodeMessage } from '../src/core/index';
import { node, valueInfo } from '../src/core/index';

export const DECODE_BUDGET = { seconds: 3, peakOverFile: 1.5 };

export interface DecodeBenchResult {
  bench: 'decode';
  fileBytes: number;
  initializers: number;
  readMs: number;
  decodeMs: number;
  /** Read + decode. */
  totalMs: number;
  /** Peak resident set of the child (runtime included) and its RSS before reading the file. */
  peakRssBytes: number;
  baselineRssBytes: number;
  peakOverFile: number;
  budget: typeof DECODE_BUDGET;
  withinBudget: boolean;
}

interface ChildReport {
  readMs: number;
  decodeMs: number;
  peakRssBytes: number;
  baselineRssBytes: number;
  initializers: number;
}

const FLOAT = 1;

/** Writes the model to `path` and returns its size. */
export function writeSyntheticModel(path: string, sizeBytes: number): { fileBytes: number; initializers: number } {
  const elements = Math.max(1, Math.min(1 << 20, Math.floor(sizeBytes / 4)));
  const count = Math.max(1, Math.round(sizeBytes / (elements * 4)));
  const dims = [Long.fromNumber(elements)];

  const weight = (i: number): string => `w${String(i).padStart(6, '0')}`; // one width: every piece has one size
  const nodes = Array.from({ length: count }, (_, i) => node('Add', [i ? `a${i - 1}` : 'x', weight(i)], [i === count - 1 ? 'y' : `a${i}`], { name: `add_${i}` }));
  // A GraphProto's encoding is the concatenation of its fields' encodings, so the graph is written as
  // separately encoded pieces in field-number order: nodes (1) and name (2), initializers (5), inputs (11), outputs (12).
  const head: GraphProto = { node: nodes, name: 'bench' };
  const io: GraphProto = { input: [valueInfo('x', FLOAT, [elements])], output: [valueInfo('y', FLOAT, [elements])] };
  const headBytes = encodeMessage('GraphProto', head);
  const ioBytes = encodeMessage('GraphProto', io);

  const values = new Float32Array(elements);
  let seed = 1;
  for (let i = 0; i < elements; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    values[i] = (seed / 2 ** 32) * 2 - 1;
  }
  const raw = new Uint8Array(values.buffer);
  const initializer = (i: number): Uint8Array => {
    values[0] = i; // each tensor differs
    const tensor: TensorProto = { dims, dataType: FLOAT, name: weight(i), rawData: raw };
    return encodeMessage('GraphProto', { initializer: [tensor] });
  };
  const initializerBytes = initializer(0).length;
  const graphBytes = headBytes.length + count * initializerBytes + ioBytes.length;

  const modelHead = encodeMessage('ModelProto', { irVersion: Long.fromNumber(8), producerName: 'castaway-bench' });
  const graphTag = Uint8Array.from([0x3a, ...varint(graphBytes)]); // ModelProto.graph = 7, length-delimited
  const modelTail = encodeMessage('ModelProto', { opsetImport: [{ domain: '', version: Long.fromNumber(17) }] });

  const fd = openSync(path, 'w');
  try {
    for (const part of [modelHead, graphTag, headBytes]) writeSync(fd, part);
    for (let i = 0; i < count; i++) writeSync(fd, initializer(i));
    for (const part of [ioBytes, modelTail]) writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  return { fileBytes: statSync(path).size, initializers: count };
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** Generates the model, decodes it in a child process, and removes it. */
export function benchDecode(sizeBytes = 2 ** 30): DecodeBenchResult {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-decode-'));
  try {
    const path = join(dir, 'synthetic.onnx');
    const { fileBytes, initializers } = writeSyntheticModel(path, sizeBytes);
    const script = fileURLToPath(import.meta.url);
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', path], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (child.status !== 0) throw new Error(`decode child failed (${child.status}): ${child.stderr}`);
    const report = JSON.parse(child.stdout.trim().split('\n').pop()!) as ChildReport;
    if (report.initializers !== initializers) throw new Error(`decoded ${report.initializers} initializers, wrote ${initializers}`);
    const totalMs = report.readMs + report.decodeMs;
    const peakOverFile = report.peakRssBytes / fileBytes;
    return {
      bench: 'decode',
      fileBytes,
      initializers,
      readMs: round(report.readMs),
      decodeMs: round(report.decodeMs),
      totalMs: round(totalMs),
      peakRssBytes: report.peakRssBytes,
      baselineRssBytes: report.baselineRssBytes,
      peakOverFile: round(peakOverFile, 3),
      budget: DECODE_BUDGET,
      withinBudget: totalMs < DECODE_BUDGET.seconds * 1000 && peakOverFile < DECODE_BUDGET.peakOverFile,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

function runChild(path: string): void {
  const baselineRssBytes = process.memoryUsage().rss;
  const t0 = performance.now();
  const bytes = readFileSync(path);
  const t1 = performance.now();
  const model = decodeModel(bytes);
  const t2 = performance.now();
  const report: ChildReport = {
    readMs: t1 - t0,
    decodeMs: t2 - t1,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    baselineRssBytes,
    initializers: model.graph?.initializer?.length ?? 0,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

// Only when run as this file itself (not when bundled into another script, where import.meta.url is the bundle's).
if (process.argv[1]?.endsWith('bench-decode.ts') && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--child') runChild(process.argv[3]);
  else console.log(JSON.stringify(benchDecode(process.argv[2] ? Number(process.argv[2]) : undefined)));
}
