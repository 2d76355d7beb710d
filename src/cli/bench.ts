// `castaway bench model.onnx [more.onnx ...] --ep cuda|cpu|auto [--dims batch=1,sequence=128] [--runs N]`
// The companion's runner, in-process: the same session options, input generation and statistics as the
// companion's /bench. Several models are timed one after the other on the same inputs, each against the
// first (speed-up and, with --compare, the output error).

import { statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { describeSpeedup, pairedSpeedup, type PairedSpeedup } from '../core/index';
import { compareTensors, type ErrorStats } from '../companion/shared/compare.js';
import { CompanionError } from '../companion/shared/errors.js';
import { EP_REQUESTS, OPT_LEVELS, oneOf, type BenchParams, type InputSummary, type TensorData } from '../companion/shared/protocol.js';
import { summarize } from '../companion/server/inputs.js';
import {
  allocateOutputs,
  benchModel,
  deviceName,
  latencyStats,
  machineInfo,
  makeFeeds,
  openSession,
  prepareInputs,
  runRaw,
  timedRuns,
  type BenchResult,
  type OpenSession,
} from '../companion/server/runner.js';
import type { Tensor as OrtTensor } from 'onnxruntime-node';

const BENCH_USAGE = `Usage: castaway bench model.onnx [more.onnx ...] [options]
  --ep cuda|cpu|auto      execution provider (default auto: CUDA when its EP loads, else CPU, said so)
  --dims a=1,b=128        sizes of the inputs' symbolic dims (e.g. batch=1,sequence=128)
  --runs N                timed runs (default 20)
  --warmup N              untimed runs before them, after a first cold run (default 5)
  --vocab N               upper bound of generated token ids (default 1000)
  --seed N                seed of generated inputs (default 0)
  --opt-level L           onnxruntime graph optimization: disabled|basic|extended|all (default all)
  --labels a,b,...        names of the models in the output (default: file names)
  --rounds R              keep all models loaded and time them in R interleaved rounds of runs/R runs each
                          (the first model of a round rotates), so clock drift falls on all alike (default 1)
  --reuse-outputs         onnxruntime writes the outputs into buffers allocated once, instead of fresh
                          JavaScript memory per run (leaves out allocating large outputs, e.g. logits)
  --pairs a:b,c:d         with --rounds: also report model a's speed-up over model b (labels), paired by
                          round, with a 95% bootstrap interval (every model also gets one against the first)
  --compare               also run each model once and report its output error against the first model's
  --json FILE             write the results as JSON (- for stdout)`;

export interface BenchRow {
  label: string;
  file: string;
  bytes: number;
  ep: string;
  fallback?: string;
  sessionCreateMs: number;
  bench?: BenchResult;
  /** Median speed-up against the first model (>1 = faster). */
  speedup?: number;
  /** With rounds: the speed-up against the first model paired by round, with its 95% interval. */
  paired?: PairedSpeedup;
  /** With rounds: the timed runs of each round. */
  roundsMs?: number[][];
  errors?: Record<string, ErrorStats>;
  error?: string;
}

export interface BenchReport {
  device: string;
  ep: string;
  versions: Record<string, string>;
  dims: Record<string, number>;
  runs: number;
  warmup: number;
  rounds: number;
  /** Outputs written into buffers allocated once (--reuse-outputs). */
  reuseOutputs: boolean;
  inputs?: InputSummary[];
  rows: BenchRow[];
  /** --pairs: model vs baseline, paired by round. */
  pairs?: ({ model: string; baseline: string } & PairedSpeedup)[];
}

function parseDims(s: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!s) return out;
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=]+)=(\d+)$/.exec(part);
    if (!m) throw new CompanionError('bad-request', `--dims: '${part}' is not name=size`);
    out[m[1].trim()] = Number(m[2]);
  }
  return out;
}

function int(v: string | undefined, name: string, def: number, min = 0): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CompanionError('bad-request', `--${name} must be an integer >= ${min}`);
  return n;
}

const fmt = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

function table(report: BenchReport): string {
  const head = ['model', 'ep', 'create ms', 'first ms', 'median ms', 'p90 ms', 'vs first'];
  const paired = report.rows.some((r) => r.paired);
  if (paired) head.push('paired by round (95% CI)');
  const withErr = report.rows.some((r) => r.errors);
  if (withErr) head.push('max abs err', 'cosine', 'non-finite');
  const lines = [head];
  for (const r of report.rows) {
    if (r.error) {
      lines.push([r.label, r.ep, '-', '-', 'FAILED', '-', '-']);
      continue;
    }
    const b = r.bench!;
    const row = [r.label, r.ep, fmt(r.sessionCreateMs, 0), fmt(b.firstRunMs), fmt(b.medianMs, 3), fmt(b.p90Ms, 3), `${fmt(r.speedup)}x`];
    if (paired) row.push(r.paired ? `${fmt(r.paired.speedup, 3)}x (${fmt(r.paired.ci95[0], 3)}-${fmt(r.paired.ci95[1], 3)})` : '-');
    if (withErr) {
      const es = Object.values(r.errors ?? {});
      row.push(
        es.length ? Math.max(...es.map((e) => e.maxAbs)).toExponential(2) : '-',
        es.length ? Math.min(...es.map((e) => e.cosine)).toFixed(6) : '-',
        es.length ? String(es.reduce((a, e) => a + e.nonFinite, 0)) : '-',
      );
    }
    lines.push(row);
  }
  const w = head.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const text = lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : c.padEnd(w[i]))).join('  ')).join('\n');
  const pairs = (report.pairs ?? []).map((p) => `${p.model} vs ${p.baseline}: ${describeSpeedup(p)}`);
  const failures = report.rows.filter((r) => r.error).map((r) => `${r.label}: ${r.error}`);
  return [text, pairs.join('\n'), failures.join('\n')].filter(Boolean).join('\n\n');
}

/** A model file that cannot be read (missing, unreadable): exit 5, as for convert and inspect. */
class FileError extends Error {}

/** The exit code of a failed model, as the README lists them: 3 bad model, 5 file error, 2 bad dims or EP, 1 else. */
function exitCodeOf(e: unknown): number {
  if (e instanceof FileError) return 5;
  if (e instanceof CompanionError) {
    if (e.code === 'bad-model' || e.code === 'external-data') return 3;
    if (e.code === 'bad-input' || e.code === 'bad-request' || e.code === 'ep-unavailable') return 2;
  }
  return 1;
}

/** Runs the bench command; returns the process exit code. `log` receives the human-readable output. */
export async function runBenchCommand(args: string[], log: (s: string) => void = console.log): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ep: { type: 'string' },
        dims: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        vocab: { type: 'string' },
        seed: { type: 'string' },
        'opt-level': { type: 'string' },
        labels: { type: 'string' },
        compare: { type: 'boolean' },
        'reuse-outputs': { type: 'boolean' },
        pairs: { type: 'string' },
        rounds: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${BENCH_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    log(BENCH_USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`castaway bench: no model given\n\n${BENCH_USAGE}`);
    return 2;
  }
  let params: BenchParams & { rounds: number };
  let labels: string[];
  let pairs: [string, string][] = [];
  try {
    const ep = values.ep ?? 'auto';
    if (!oneOf(EP_REQUESTS, ep)) throw new CompanionError('bad-request', `--ep must be one of ${EP_REQUESTS.join(', ')}`);
    const level = values['opt-level'];
    if (level !== undefined && !oneOf(OPT_LEVELS, level)) {
      throw new CompanionError('bad-request', `--opt-level must be one of ${OPT_LEVELS.join(', ')}`);
    }
    params = {
      ep,
      dims: parseDims(values.dims),
      runs: int(values.runs, 'runs', 20, 1),
      warmup: int(values.warmup, 'warmup', 5),
      vocab: int(values.vocab, 'vocab', 1000, 1),
      seed: int(values.seed, 'seed', 0),
      rounds: int(values.rounds, 'rounds', 1, 1),
      graphOptimizationLevel: level,
    };
    labels = values.labels ? values.labels.split(',') : [];
    if (labels.length && labels.length !== positionals.length) {
      throw new CompanionError('bad-request', `--labels names ${labels.length} models but ${positionals.length} are given`);
    }
    if (values.pairs) {
      if (params.rounds < 2) throw new CompanionError('bad-request', '--pairs needs --rounds 2 or more');
      pairs = parsePairs(values.pairs, labels.length ? labels : positionals.map((f) => basename(f)));
    }
  } catch (e) {
    console.error(`castaway bench: ${(e as Error).message}`);
    return 2;
  }

  const machine = await machineInfo();
  const report: BenchReport = {
    device: '',
    ep: '',
    versions: machine.versions,
    dims: params.dims ?? {},
    runs: params.runs!,
    warmup: params.warmup!,
    rounds: params.rounds,
    reuseOutputs: Boolean(values['reuse-outputs']),
    rows: [],
  };
  let reference: Record<string, { type: string; data: TensorData }> | undefined;
  /** The exit code of the first failure, 0 while none. */
  let failed = 0;
  const rounds = params.rounds;
  const open: (OpenSession | undefined)[] = [];
  const say = (row: BenchRow) => {
    if (values.json === '-') return;
    const b = row.bench;
    log(b ? `${row.label}: ${row.ep} median ${b.medianMs.toFixed(3)} ms, p90 ${b.p90Ms.toFixed(3)} ms` : `${row.label}: FAILED ${row.error}`);
  };
  for (let i = 0; i < positionals.length; i++) {
    const file = positionals[i];
    const row: BenchRow = { label: labels[i] ?? basename(file), file, bytes: 0, ep: '-', sessionCreateMs: NaN };
    report.rows.push(row);
    let o: OpenSession | undefined;
    try {
      try {
        row.bytes = statSync(file).size;
      } catch (e) {
        throw new FileError(`cannot read ${file}: ${(e as Error).message}`);
      }
      // by path: onnxruntime reads it (no 2 GiB limit of a Node buffer, external data next to it works)
      o = await openSession(file, params);
      row.ep = o.ep;
      if (o.fallback) row.fallback = o.fallback;
      row.sessionCreateMs = o.sessionCreateMs;
      report.ep ||= o.ep;
      if (values.compare) {
        const { res, names } = await runRaw(o, params);
        const outs = Object.fromEntries(names.map((n) => [n, { type: res[n].type, data: res[n].data as TensorData }]));
        if (!reference) reference = outs;
        else {
          row.errors = {};
          for (const n of names) {
            if (reference[n]) row.errors[n] = compareTensors(reference[n], outs[n]);
          }
        }
      }
      if (rounds === 1) {
        row.bench = await benchModel(o, params, { reuseOutputs: report.reuseOutputs });
        report.inputs ??= row.bench.inputs;
      } else {
        open[i] = o;
        o = undefined;
      }
    } catch (e) {
      row.error = (e as Error).message;
      failed ||= exitCodeOf(e);
    } finally {
      await o?.session.release().catch(() => undefined);
    }
    if (rounds === 1) say(row);
  }
  if (rounds > 1) {
    // all sessions open; warm each, then `rounds` rounds of runs/rounds timed runs per model, the starting
    // model rotating, so that clock and thermal drift fall on every model alike
    const live = report.rows.map((row, i) => ({ row, o: open[i] })).filter((x) => x.o);
    try {
      const prepared = [];
      for (const { row, o } of live) {
        const inputs = prepareInputs(o!, params);
        const feeds = await makeFeeds(inputs);
        prepared.push({ row, o: o!, inputs, feeds, fetches: undefined as Record<string, OrtTensor> | undefined, first: 0 });
      }
      for (const p of prepared) {
        p.first = (await timedRuns(p.o.session, p.feeds, 1))[0];
        if (report.reuseOutputs) p.fetches = await allocateOutputs(p.o.session, p.feeds);
        await timedRuns(p.o.session, p.feeds, params.warmup!, p.fetches);
      }
      const per = Math.max(1, Math.round(params.runs! / rounds));
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < prepared.length; k++) {
          const p = prepared[(r + k) % prepared.length];
          (p.row.roundsMs ??= []).push(await timedRuns(p.o.session, p.feeds, per, p.fetches));
        }
      }
      for (const p of prepared) {
        const times = (p.row.roundsMs ?? []).flat();
        p.row.bench = {
          inputs: summarize(p.inputs),
          warmup: params.warmup!,
          runs: times.length,
          firstRunMs: p.first,
          ...latencyStats(times),
          timesMs: times,
        };
        report.inputs ??= p.row.bench.inputs;
      }
    } catch (e) {
      for (const { row } of live) row.error ??= (e as Error).message;
      failed ||= exitCodeOf(e);
    } finally {
      for (const { o } of live) await o!.session.release().catch(() => undefined);
    }
    report.rows.forEach(say);
  }
  const base = report.rows[0].bench?.medianMs;
  for (const row of report.rows) if (base && row.bench) row.speedup = base / row.bench.medianMs;
  const first = report.rows[0];
  if (rounds > 1 && first.roundsMs) {
    for (const row of report.rows.slice(1)) if (row.roundsMs) row.paired = pairedSpeedup(row.roundsMs, first.roundsMs);
  }
  if (pairs.length) {
    const byLabel = new Map(report.rows.map((r) => [r.label, r]));
    report.pairs = pairs.map(([model, baseline]) => ({
      model,
      baseline,
      ...pairedSpeedup(byLabel.get(model)?.roundsMs ?? [], byLabel.get(baseline)?.roundsMs ?? []),
    }));
  }
  report.ep ||= params.ep ?? 'auto';
  report.device = report.ep === 'cuda' || report.ep === 'cpu' ? deviceName(report.ep) : machine.device.name;
  if (values.json === '-') {
    log(JSON.stringify(report, null, 2));
  } else {
    const fb = report.rows.find((r) => r.fallback)?.fallback;
    log(`\n${report.device}, onnxruntime-node ${report.versions.onnxruntime}, dims ${JSON.stringify(report.dims)}, ` +
      `${report.warmup} warm-up + ${report.runs} timed runs` +
      `${params.rounds > 1 ? ` in ${params.rounds} interleaved rounds` : ''}` +
      `${report.reuseOutputs ? ', outputs into reused buffers' : ''}${fb ? `\nnote: CPU fallback: ${fb}` : ''}\n`);
    log(table(report));
    if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
  }
  return failed;
}

/** Parses "a:b,c:d" (model:baseline by label) and checks the labels exist. */
export function parsePairs(spec: string, labels: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^:]+):([^:]+)$/.exec(part);
    if (!m) throw new Error(`--pairs: '${part}' is not model:baseline`);
    for (const l of [m[1], m[2]]) {
      if (!labels.includes(l)) throw new Error(`--pairs: no model labelled '${l}' (labels: ${labels.join(', ')})`);
    }
    pairs.push([m[1], m[2]]);
  }
  return pairs;
}
