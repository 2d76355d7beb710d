// `npx tsx scripts/bench-phases.ts [model.onnx] [runs]`: CPU milliseconds (user + system, this process) of each
// phase of a CLI convert, median over runs: where the time of a cold `castaway convert` goes. CPU time, not
// wall time, because the machine this runs on is shared (a loaded machine stretches wall time, not CPU time).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RECIPE, decodeModel, encodeModelPieces } from '../src/core/index';
import { buildIr } from '../src/core/ir';
import { createTypeOracle } from '../src/core/plan/type-oracle';
import { buildPlanningProblem } from '../src/core/plan/constraints';
import { Planner } from '../src/core/plan/planner';
import { OrtReferenceCounter } from '../src/core/reference/ort-cast-count';
import { applyPlan } from '../src/core/rewrite/apply-plan';
import { withInferredValueInfo } from '../src/core/shapes/infer-shapes';
import { EngineModel, convertModel } from '../src/core/engine';

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
  const [ir, irMs] = cpu(() => buildIr(proto));
  add('index (IR)', irMs);
  const [types, typesMs] = cpu(() => createTypeOracle(ir));
  add('element types', typesMs);
  const [problem, consMs] = cpu(() => buildPlanningProblem(ir, types));
  add('constraints', consMs);
  add('planner setup', cpu(() => new Planner(problem))[1]);
  add('onnxruntime reference counter', cpu(() => new OrtReferenceCounter(ir, types))[1]);
  const model = new EngineModel(proto);
  const [outcome, planMs] = cpu(() => model.planner.plan({ ...DEFAULT_RECIPE }, () => true));
  add('plan (max-flow)', planMs);
  const [result, rewriteMs] = cpu(() => applyPlan(model.problem, outcome));
  add('rewrite', rewriteMs);
  const [withVi, viMs] = cpu(() => withInferredValueInfo(result.model));
  add('value_info (shapes + types)', viMs);
  add('encode', cpu(() => encodeModelPieces(withVi))[1]);
  add('convertModel total (plan..encode, report)', cpu(() => convertModel(model, DEFAULT_RECIPE, { pieces: true }))[1]);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [k, xs] of rows) process.stdout.write(`${median(xs).toFixed(0).padStart(6)} ms  ${k}\n`);
