// `npm run bench`: Castaway's engine figures beside onnxruntime's own converter, in one run.
//  - plan + convert of gpt2-deep200-o14 (43,720 nodes), with the issue's block list: budget 1 s
//  - re-plan after one block-list change on the same graph: budget 50 ms
//  - decode of a synthetic 1 GB model: budget 3 s, peak memory under 1.5x the file
//  - the half-precision array codec (fp32 -> fp16 of stored weights): budget 1 GB/s of fp32 on one core
//  - the CLI as a user runs it, each run a fresh process (scripts/bench-cli.ts): cold `castaway convert` of
//    gpt2-deep200 (goal under 1 s on a quiet 2-core machine) and file-to-file conversion of a synthetic
//    ~1 GB fp32 model, inline and with external data (goal >= 1 GB/s of fp32 weights); wall and CPU time,
//    with the load average, since the machine may be shared. `--against <castaway.cjs>` runs another build
//    (say main's dist/cli/castaway.cjs) interleaved with this one, as the before figure.
// The baseline (onnxruntime.transformers.float16) runs in the same run when a Python with onnxruntime is
// available (CASTAWAY_BASELINE_PYTHON, default python3); otherwise its recorded figure from
// fixtures/README.md is printed and labelled as recorded.
//   npm run bench [-- --write docs/bench.md] [-- --skip-decode] [-- --decode-bytes N] [-- --skip-cli]
//                 [-- --convert-bytes N] [-- --cold-runs N] [-- --against path/to/castaway.cjs]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPE } from '../src/core/index';
import { PRESETS, convertModel, openModel, planModel, summarizeModel } from '../src/core/index';
import { ORT_BASELINE, issueBlockList } from '../src/node/fixture-recipes';
import { benchDecode } from './bench-decode';
import { benchHalf } from './bench-half';
import { benchColdCli, benchLargeConvert, type ProcessTimes } from './bench-cli';

const { values: args } = parseArgs({ options: { write: { type: 'string' }, 'skip-decode': { type: 'boolean' }, 'decode-bytes': { type: 'string' }, runs: { type: 'string' }, 'skip-cli': { type: 'boolean' }, 'convert-bytes': { type: 'string' }, 'cold-runs': { type: 'string' }, against: { type: 'string' } } });
const runs = Number(args.runs ?? 5);
const fixture = 'gpt2-deep200-o14';
const path = fileURLToPath(new URL(`../fixtures/models/${fixture}.onnx`, import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
};

const bytes = new Uint8Array(readFileSync(path));
/** End to end as the CLI does it: decode and index (open), then plan, rewrite and encode (convert). */
function endToEnd(recipeFor: (summary: ReturnType<typeof summarizeModel>) => Partial<typeof DEFAULT_RECIPE>) {
  const open: number[] = [];
  const convert: number[] = [];
  let casts = 0;
  let ortCasts = 0;
  for (let i = 0; i < runs; i++) {
    const [model, openMs] = time(() => openModel(bytes));
    const recipe = { ...DEFAULT_RECIPE, ...recipeFor(summarizeModel(model)) };
    const [result, convertMs] = time(() => convertModel(model, recipe));
    open.push(openMs);
    convert.push(convertMs);
    casts = result.report.castCount;
    ortCasts = result.report.ortReferenceCasts;
  }
  const total = open.map((o, i) => o + convert[i]);
  return { open: median(open), convert: median(convert), total: median(total), casts, ortCasts };
}
const issue = endToEnd((summary) => ({ opBlockList: issueBlockList(summary) }));
const norms = endToEnd(() => PRESETS.find((p) => p.id === 'norms-softmax-fp32')!.recipe);
const blockList = issueBlockList(summarizeModel(openModel(bytes)));
// Re-plan after one change: toggle one node into the block list, as a click in the app does.
const model = openModel(bytes);
const summary = summarizeModel(model);
const base = { ...DEFAULT_RECIPE, opBlockList: ['Softmax'] };
planModel(model, base);
const toggles: number[] = [];
const mids = summary.nodes.filter((n) => n.opType === 'MatMul').slice(0, 20);
for (const node of mids) {
  const [, ms] = time(() => planModel(model, { ...base, nodeBlockList: [node.name] }));
  toggles.push(ms);
}
const planOnly: number[] = [];
for (let i = 0; i < runs; i++) planOnly.push(time(() => planModel(model, { ...base, opBlockList: blockList }))[1]);

const python = process.env.CASTAWAY_BASELINE_PYTHON ?? 'python3';
const baselineRun = spawnSync(python, [fileURLToPath(new URL('../scripts/baseline_float16.py', import.meta.url)), path, 'issue'], { encoding: 'utf8', timeout: 600_000 });
const baseline = baselineRun.status === 0 ? (JSON.parse(baselineRun.stdout.trim().split('\n').pop()!) as { seconds: number; casts: number; duplicateNames: number }) : undefined;

const half = benchHalf();
const decode = args['skip-decode'] ? undefined : benchDecode(Number(args['decode-bytes'] ?? 2 ** 30));
const cold = args['skip-cli'] ? undefined : benchColdCli(path, Number(args['cold-runs'] ?? 7), args.against);
const large = args['skip-cli'] ? undefined : benchLargeConvert(Number(args['convert-bytes'] ?? 2 ** 30), 3, args.against);
const times = (t: ProcessTimes) => `${t.wallMs.toFixed(0)} ms wall, ${t.cpuMs.toFixed(0)} ms CPU`;
const beforeText = (t: ProcessTimes | undefined) => (t ? `${times(t)} (\`--against ${args.against}\`, interleaved)` : '');

const baselineText = baseline
  ? `${(baseline.seconds * 1000).toFixed(0)} ms, ${baseline.casts} Casts, ${baseline.duplicateNames} duplicate node names (measured in this run)`
  : `${(ORT_BASELINE[fixture].convertSeconds * 1000).toFixed(0)} ms, ${ORT_BASELINE[fixture].issueCasts} Casts (recorded in fixtures/README.md: no Python onnxruntime on this machine)`;
const lines = [
  `Castaway engine benchmark (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${runs} runs, medians). \`npm run bench\``,
  '',
  '| what | Castaway | budget | onnxruntime 1.30 convert_float_to_float16 |',
  '|---|---|---|---|',
  `| ${fixture} (${summary.nodeCount} nodes), issue block list: plan + convert + encode | ${issue.convert.toFixed(0)} ms, ${issue.casts} Casts | < 1000 ms | ${baselineText} |`,
  `| same, file to file (+ decode and index: ${issue.open.toFixed(0)} ms) | ${issue.total.toFixed(0)} ms | | |`,
  `| ${fixture}, norms and Softmax in fp32 (by name scope): plan + convert + encode | ${norms.convert.toFixed(0)} ms, ${norms.casts} Casts (file to file ${norms.total.toFixed(0)} ms) | < 1000 ms | its tool would leave ${norms.ortCasts} Casts |`,
  `| plan only (max-flow + report), issue block list | ${median(planOnly).toFixed(1)} ms | | |`,
  `| re-plan after one node toggle (${toggles.length} toggles) | ${median(toggles).toFixed(1)} ms (max ${Math.max(...toggles).toFixed(1)} ms) | < 50 ms | re-runs the whole conversion |`,
  decode
    ? `| decode of a synthetic ${(decode.fileBytes / 2 ** 30).toFixed(2)} GiB model (read + decode) | ${decode.totalMs.toFixed(0)} ms (decode alone ${decode.decodeMs.toFixed(0)} ms), peak RSS ${decode.peakOverFile.toFixed(2)}x the file | < 3000 ms, < 1.5x | |`
    : '| decode of a synthetic 1 GB model | skipped (--skip-decode) | | |',
  `| fp32 -> fp16 of ${half.megabytes.toFixed(0)} MB of weights, one thread (clamp, raise tiny values and count; GB/s of fp32 by CPU time, wall clock in brackets; a plain copy loop: ${half.copyGBps.toFixed(2)} GB/s) | ${half.encodeCpuGBps.toFixed(2)} GB/s (${half.encodeGBps.toFixed(2)}) | >= 1 GB/s, or half a copy loop on a slower machine | ${half.scalar ? `${half.scalar.encodeCpuGBps.toFixed(2)} GB/s without the SIMD kernels (same process)` : ''} |`,
  `| fp16 -> fp32 of ${(half.megabytes / 2).toFixed(0)} MB (GB/s of fp16 by CPU time, wall clock in brackets) | ${half.decodeCpuGBps.toFixed(2)} GB/s (${half.decodeGBps.toFixed(2)}) | | ${half.scalar ? `${half.scalar.decodeCpuGBps.toFixed(2)} GB/s without the SIMD kernels (the table)` : ''} |`,
  cold
    ? `| cold \`castaway convert\` of ${fixture}, whole process (bin/castaway.mjs, ${cold.runs} runs; load average ${cold.loadAverage.toFixed(1)} on ${cold.cores} cores) | ${times(cold.castaway)} | < 1000 ms on a quiet 2-core machine | ${beforeText(cold.against)} |`
    : '| cold CLI convert | skipped (--skip-cli) | | |',
  large
    ? `| \`castaway convert\` of a synthetic ${(large.fp32Bytes / 2 ** 30).toFixed(2)} GiB fp32 model (1024x1024 MatMul weights), file to file | ${times(large.inline)}: ${large.inlineGBps.cpu.toFixed(2)} GB/s of fp32 by CPU (${large.inlineGBps.wall.toFixed(2)} wall) | >= 1 GB/s, 1.3 GB in < 2 s | ${beforeText(large.against?.inline)} |`
    : '| large-model CLI convert | skipped (--skip-cli) | | |',
  large
    ? `| same, CASTAWAY_THREADS=${large.otherThreadCount} (this build; the row above used ${large.threads} conversion thread${large.threads > 1 ? 's' : ''}, its default here) | ${times(large.otherThreads)} | | |`
    : '',
  large
    ? `| same, weights in external data (in and out) | ${times(large.external)}: ${large.externalGBps.cpu.toFixed(2)} GB/s by CPU (${large.externalGBps.wall.toFixed(2)} wall) | | ${beforeText(large.against?.external)} |`
    : '',
  '',
  `onnxruntime's count for the issue block list, as Castaway's reference model of its tool computes it: ${issue.ortCasts}.`,
];
const text = `${lines.join('\n')}\n`;
process.stdout.write(text);
if (args.write) writeFileSync(args.write, text);
const ok = issue.convert < 1000 && norms.convert < 1000 && median(toggles) < 50 && (!decode || decode.withinBudget) && (half.encodeCpuGBps >= 1 || half.encodeGBps >= 0.5 * half.copyGBps);
if (!ok) {
  process.stderr.write('bench: a budget was missed\n');
  process.exitCode = 1;
}
