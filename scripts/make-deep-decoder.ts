// Writes fixtures/bench/pegasus-deep64-o14-decoder.onnx: the 2-layer Pegasus decoder fixture grown to 64
// layers by cloning its second layer 62 times, the shape of graph issue 12 #6 timed (a 64-layer Pegasus
// decoder, ~12.7k nodes). The clones read the second layer's weights (through their own Identity nodes,
// as torch's export writes tied weights), so the file stays small; no GPU or torch is needed.
//   npx tsx scripts/make-deep-decoder.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel, type NodeProto } from '../src/core/index';

const LAYERS = 64;
const models = join(import.meta.dirname, '..', 'fixtures', 'models');
// Beside, not in, fixtures/models: the fixture-wide tests there pin every file's hashes and Cast counts.
const bench = join(import.meta.dirname, '..', 'fixtures', 'bench');
const model = decodeModel(readFileSync(join(models, 'pegasus-small-o14-decoder.onnx')));
const graph = model.graph!;
const nodes = graph.node ?? [];

const LAYER_1 = /layers\.1([./_])/;
// Layer 1's nodes: its scope, and the Identity nodes that alias weights under its name.
const inLayer1 = (n: NodeProto) => LAYER_1.test(n.name ?? '') || (n.opType === 'Identity' && (n.output ?? []).some((o) => LAYER_1.test(o)));
const layer1 = nodes.filter(inLayer1);
const producedIn1 = new Set(layer1.flatMap((n) => n.output ?? []));
const producer = new Map<string, NodeProto>();
for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);

// The residual stream entering layer 1: a float value from layer 0's scope read by a layer-1 Add (the
// residual) and by its first LayerNorm. Layer 1's output is what the nodes after the layers read from it.
const readsFromOutside = new Set(layer1.flatMap((n) => (n.input ?? []).filter((i) => i && !producedIn1.has(i))));
const streamIn = [...readsFromOutside].find((name) => /layers\.0\//.test(producer.get(name)?.name ?? '') && producer.get(name)?.opType === 'Add');
const after = nodes.slice(nodes.indexOf(layer1[layer1.length - 1]) + 1).filter((n) => !inLayer1(n));
const streamOut = after.flatMap((n) => n.input ?? []).find((name) => producedIn1.has(name));
if (!streamIn || !streamOut) throw new Error(`layer boundary not found (in ${streamIn}, out ${streamOut})`);

function renamed(name: string, layer: number): string {
  return LAYER_1.test(name) ? name.replace(LAYER_1, `layers.${layer}$1`) : `${name}_layer${layer}`;
}

const before = nodes.filter((n) => !inLayer1(n) && !after.includes(n));
const out: NodeProto[] = [...before, ...layer1];
let previous = streamOut;
for (let layer = 2; layer < LAYERS; layer++) {
  const names = new Map<string, string>([[streamIn, previous]]);
  for (const name of producedIn1) names.set(name, renamed(name, layer));
  for (const n of layer1) {
    out.push({
      ...n,
      name: renamed(n.name ?? '', layer),
      input: (n.input ?? []).map((i) => names.get(i) ?? i),
      output: (n.output ?? []).map((o) => names.get(o) ?? o),
    });
  }
  previous = names.get(streamOut)!;
}
for (const n of after) out.push({ ...n, input: (n.input ?? []).map((i) => (i === streamOut ? previous : i)) });

const outputs = new Set<string>();
for (const n of out) for (const o of n.output ?? []) {
  if (outputs.has(o)) throw new Error(`duplicate value ${o}`);
  outputs.add(o);
}
// Intermediate value_info names only the original layers; drop it so every layer is inferred alike.
const deep = { ...model, graph: { ...graph, node: out, valueInfo: [] } };
const path = join(bench, `pegasus-deep${LAYERS}-o14-decoder.onnx`);
writeFileSync(path, encodeModel(deep));
console.log(`wrote ${path}: ${out.length} nodes (layer 1: ${layer1.length} nodes, stream ${streamIn} -> ${streamOut})`);
