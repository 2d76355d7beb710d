// `npx tsx scripts/bench-phases.ts [model.onnx] [runs]`: CPU milliseconds (user + system, this process) of the
// phases of a CLI convert, median over runs: where the time of a cold `castaway convert` goes. CPU time, not
// wall time, because the machine this runs on is shared (load stretches wall time, not CPU time). Through
// tsx, so module-boundary getters make it somewhat slower than the bundled CLI; compare runs with each other.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RECIPE, EngineModel, convertModel, decodeModel, planModel } from '../src/core/index';

const path = process.argv[2] || fileURLToPath(new URL('../fixtures/models/gpt2-deep200-o14.onnx', import.meta.url));
const runs = Number(process.argv[3] ?? 5);
const cpu = <T>(f: () => T): [T, number] => {
  const c = process.cpuUsage();
  const r = f();
  const u = process.cpuUsage(c);
  return [r, (u.user + u.system) / 1000];
};
const rows = new Map<string, number[]>();
const add = (k: string, ms: number) => rows.set(k, [...(rows.get(k) ?? []), ms]);
for (let r = 0; r < runs; r++) {
  const [bytes, readMs] = cpu(() => new Uint8Array(readFileSync(path)));
  add('read', readMs);
  const [proto, decodeMs] = cpu(() => decodeModel(bytes));
  add('decode (+ tensor checks)', decodeMs);
  const [model, openMs] = cpu(() => new EngineModel(proto));
  add('index, element types, constraints, planner, reference counter (EngineModel)', openMs);
  add('plan + report (planModel)', cpu(() => planModel(model, DEFAULT_RECIPE))[1]);
  add('convert without value_info (plan, rewrite, encode)', cpu(() => convertModel(model, DEFAULT_RECIPE, { valueInfo: false, pieces: true }))[1]);
  add('convert with value_info (the CLI default)', cpu(() => convertModel(model, DEFAULT_RECIPE, { pieces: true }))[1]);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, xs] of rows) process.stdout.write(`${median(xs).toFixed(0).padStart(6)} ms  ${k}\n`);
