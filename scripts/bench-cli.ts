// Whole-process figures of the CLI as a user runs it (`npm run bench`), each run a fresh `node` process:
//  - cold `castaway convert` of a fixture (bin/castaway.mjs: module load, decode, plan, rewrite, value_info,
//    encode, write), several runs, median;
//  - file-to-file conversion of a synthetic ~1 GB fp32 model (big MatMul weights), inline and with external
//    data: GB/s of fp32 weights converted, whole process.
// Each figure is given as wall time and as the child's CPU time (user + system, every thread, read by a
// preloaded exit hook): the machine this runs on may be shared, and load stretches wall time, not CPU time.
// `against` runs another build of the CLI (e.g. main's dist/cli/castaway.cjs) interleaved with this one,
// run for run, so that both see the same load.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Long from 'long';
import { encodeMessage, node, valueInfo, writeExternalData, decodeModel, encodeModel } from '../src/core/index';
import type { GraphProto, TensorProto } from '../src/core/index';
import { fp16ThreadCount } from '../src/cli/fp16-threads';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'castaway.mjs');

export interface ProcessTimes {
  wallMs: number;
  cpuMs: number;
}

/** The exit hook: prints the process's CPU time (all threads, since start) as the last line of stderr. */
function cpuHook(dir: string): string {
  const hook = join(dir, 'cpu-on-exit.cjs');
  writeFileSync(hook, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write(`\\ncastaway-cpu-us ${u.user + u.system}\\n`); });\n");
  return hook;
}

function runCli(script: string, args: string[], hook: string, env?: Record<string, string>): ProcessTimes {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--require', hook, script, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20, env: env ? { ...process.env, ...env } : process.env });
  const wallMs = performance.now() - start;
  if (child.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${child.status}): ${child.stderr}`);
  const cpu = /castaway-cpu-us (\d+)/.exec(child.stderr);
  return { wallMs, cpuMs: cpu ? Number(cpu[1]) / 1000 : NaN };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medians = (runs: ProcessTimes[]): ProcessTimes => ({ wallMs: median(runs.map((r) => r.wallMs)), cpuMs: median(runs.map((r) => r.cpuMs)) });

export interface ColdCliBench {
  model: string;
  runs: number;
  castaway: ProcessTimes;
  /** The `against` build, interleaved run for run, when given. */
  against?: ProcessTimes;
  /** Load average over the last minute when the runs began, and the cores the machine has. */
  loadAverage: number;
  cores: number;
}

/** Median wall and CPU time of `castaway convert <model> -o <tmp>` as fresh processes (the bundle built first). */
export function benchColdCli(model: string, runs = 5, against?: string): ColdCliBench {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-cli-'));
  try {
    const hook = cpuHook(dir);
    const out = join(dir, 'out.onnx');
    const args = ['convert', model, '-o', out, '-q'];
    runCli(cli, ['--help'], hook); // builds dist/cli/castaway.cjs if a source changed: not part of a cold run
    const loadAverage = loadavg()[0];
    const mine: ProcessTimes[] = [];
    const theirs: ProcessTimes[] = [];
    for (let r = 0; r < runs; r++) {
      mine.push(runCli(cli, args, hook));
      if (against) theirs.push(runCli(against, args, hook));
    }
    return { model, runs, castaway: medians(mine), against: against ? medians(theirs) : undefined, loadAverage, cores: cpus().length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A synthetic fp32 model of about `sizeBytes`: a chain of MatMuls with 1024 x 1024 weights (4 MiB each),
 * streamed to `path` piece by piece so the generator never holds the whole file.
 */
export function writeMatMulModel(path: string, sizeBytes: number): { fileBytes: number; weights: number } {
  const side = 1024;
  const count = Math.max(1, Math.round(sizeBytes / (side * side * 4)));
  const FLOAT = 1;
  const weight = (i: number) => `w${String(i).padStart(6, '0')}`;
  const nodes = Array.from({ length: count }, (_, i) => node('MatMul', [i ? `h${i - 1}` : 'x', weight(i)], [i === count - 1 ? 'y' : `h${i}`], { name: `matmul_${i}` }));
  const head = encodeMessage('GraphProto', { node: nodes, name: 'bench' } as GraphProto);
  const io = encodeMessage('GraphProto', { input: [valueInfo('x', FLOAT, ['batch', side])], output: [valueInfo('y', FLOAT, ['batch', side])] } as GraphProto);
  const values = new Float32Array(side * side);
  let seed = 1;
  for (let i = 0; i < values.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    values[i] = ((seed / 2 ** 32) * 2 - 1) * 0.05;
  }
  const raw = new Uint8Array(values.buffer);
  const dims = [Long.fromNumber(side), Long.fromNumber(side)];
  const initializer = (i: number) => {
    values[0] = i; // each weight differs
    return encodeMessage('GraphProto', { initializer: [{ dims, dataType: FLOAT, name: weight(i), rawData: raw } as TensorProto] } as GraphProto);
  };
  const graphBytes = head.length + count * initializer(0).length + io.length;
  const modelHead = encodeMessage('ModelProto', { irVersion: Long.fromNumber(8), producerName: 'castaway-bench' });
  const tag = [0x3a]; // ModelProto.graph = 7, length-delimited
  for (let v = graphBytes; ; v = Math.floor(v / 128)) {
    if (v <= 0x7f) {
      tag.push(v);
      break;
    }
    tag.push((v % 128) | 0x80);
  }
  const modelTail = encodeMessage('ModelProto', { opsetImport: [{ domain: '', version: Long.fromNumber(17) }] });
  const fd = openSync(path, 'w');
  try {
    for (const part of [modelHead, Uint8Array.from(tag), head]) writeSync(fd, part);
    for (let i = 0; i < count; i++) writeSync(fd, initializer(i));
    for (const part of [io, modelTail]) writeSync(fd, part);
  } finally {
    closeSync(fd);
  }
  return { fileBytes: statSync(path).size, weights: count };
}

export interface LargeConvertBench {
  fp32Bytes: number;
  inline: ProcessTimes;
  external: ProcessTimes;
  /** GB/s of fp32 weights, whole process, by wall clock and by CPU time. */
  inlineGBps: { wall: number; cpu: number };
  externalGBps: { wall: number; cpu: number };
  against?: { inline: ProcessTimes; external: ProcessTimes };
  /** The inline model converted by this build with the other thread setting (CASTAWAY_THREADS=otherThreads), interleaved. */
  otherThreads: ProcessTimes;
  /** Threads this build's convert used by default here, and the count of the comparison runs (1 or 2). */
  threads: number;
  otherThreadCount: number;
}

/** `castaway convert` of a ~`sizeBytes` fp32 model, file to file, inline and with external data (median of `runs`). */
export function benchLargeConvert(sizeBytes = 2 ** 30, runs = 3, against?: string): LargeConvertBench {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-bench-large-'));
  try {
    const hook = cpuHook(dir);
    const inlinePath = join(dir, 'large.onnx');
    const { weights } = writeMatMulModel(inlinePath, sizeBytes);
    const fp32Bytes = weights * 1024 * 1024 * 4;
    // The same model with its weights in large-ext.onnx.data (aligned), as exporters write models over 2 GB.
    const extPath = join(dir, 'large-ext.onnx');
    {
      const written = writeExternalData(decodeModel(new Uint8Array(readFileSync(inlinePath))), 'large-ext.onnx.data');
      writeFileSync(join(dir, 'large-ext.onnx.data'), written.data);
      writeFileSync(extPath, encodeModel(written.model));
    }
    runCli(cli, ['--help'], hook);
    const run = (script: string, model: string) => runCli(script, ['convert', model, '-o', join(dir, 'out.onnx'), '-q'], hook);
    const mine = { inline: [] as ProcessTimes[], external: [] as ProcessTimes[], other: [] as ProcessTimes[] };
    const threads = fp16ThreadCount();
    const otherThreadCount = threads > 1 ? 1 : 2;
    const theirs = { inline: [] as ProcessTimes[], external: [] as ProcessTimes[] };
    for (let r = 0; r < runs; r++) {
      mine.inline.push(run(cli, inlinePath));
      mine.other.push(runCli(cli, ['convert', inlinePath, '-o', join(dir, 'out.onnx'), '-q'], hook, { CASTAWAY_THREADS: String(otherThreadCount) }));
      if (against) theirs.inline.push(run(against, inlinePath));
      mine.external.push(run(cli, extPath));
      if (against) theirs.external.push(run(against, extPath));
    }
    const inline = medians(mine.inline);
    const external = medians(mine.external);
    const gbps = (t: ProcessTimes) => ({ wall: fp32Bytes / 1e6 / t.wallMs, cpu: fp32Bytes / 1e6 / t.cpuMs });
    return {
      fp32Bytes,
      inline,
      external,
      inlineGBps: gbps(inline),
      externalGBps: gbps(external),
      against: against ? { inline: medians(theirs.inline), external: medians(theirs.external) } : undefined,
      otherThreads: medians(mine.other),
      threads,
      otherThreadCount,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
