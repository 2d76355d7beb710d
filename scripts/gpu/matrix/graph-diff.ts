// Where two ONNX files differ, for the kernel-parity investigations of docs/gpu-matrix.md: op counts, every
// Cast (its source op -> its consumers, target type), graph output types, initializer types by consumer op.
// usage: tsx scripts/gpu/matrix/graph-diff.ts a.onnx b.onnx
import { readFileSync } from 'node:fs';
import { decodeModel, type ModelProto } from '../../../src/core/index';

const TYPES: Record<number, string> = { 1: 'f32', 10: 'f16', 7: 'i64', 6: 'i32', 9: 'bool' };
function describe(file: string) {
  const m: ModelProto = decodeModel(new Uint8Array(readFileSync(file)));
  const g = m.graph!;
  const nodes = g.node ?? [];
  const producer = new Map<string, string>();
  const consumers = new Map<string, string[]>();
  for (const n of nodes) {
    for (const o of n.output ?? []) producer.set(o, n.opType ?? '');
    for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n.opType ?? '']);
  }
  const ops = new Map<string, number>();
  for (const n of nodes) ops.set(n.opType ?? '', (ops.get(n.opType ?? '') ?? 0) + 1);
  const casts = new Map<string, number>();
  for (const n of nodes.filter((x) => x.opType === 'Cast')) {
    const to = Number(n.attribute?.find((a) => a.name === 'to')?.i ?? 0);
    const src = producer.get(n.input![0]) ?? (g.initializer?.some((t) => t.name === n.input![0]) ? 'initializer' : 'graph input');
    const key = `${src} -> Cast(${TYPES[to] ?? to}) -> ${(consumers.get(n.output![0]) ?? ['graph output']).join('+')}`;
    casts.set(key, (casts.get(key) ?? 0) + 1);
  }
  const inits = new Map<string, number>();
  for (const t of g.initializer ?? []) {
    const key = `${TYPES[t.dataType ?? 0] ?? t.dataType} -> ${(consumers.get(t.name ?? '') ?? ['(none)']).join('+')}`;
    inits.set(key, (inits.get(key) ?? 0) + 1);
  }
  const outputs = (g.output ?? []).map((o) => `${o.name}: ${TYPES[o.type?.tensorType?.elemType ?? 0]}`);
  return { ops, casts, inits, outputs, valueInfo: g.valueInfo?.length ?? 0 };
}
const [a, b] = process.argv.slice(2).map(describe);
const show = (title: string, x: Map<string, number>, y: Map<string, number>) => {
  console.log(`== ${title} (A / B)`);
  for (const k of [...new Set([...x.keys(), ...y.keys()])].sort()) if ((x.get(k) ?? 0) !== (y.get(k) ?? 0)) console.log(`  ${k}: ${x.get(k) ?? 0} / ${y.get(k) ?? 0}`);
};
show('op counts that differ', a.ops, b.ops);
show('Casts that differ', a.casts, b.casts);
show('initializers by type and consumer that differ', a.inits, b.inits);
console.log(`== outputs: A ${a.outputs.join(', ')} / B ${b.outputs.join(', ')}; value_info A ${a.valueInfo} / B ${b.valueInfo}`);
