// What running a converted model in the preview's layer-sized pieces (ort-node.ts runCandidate 'pieces') proves
// about the whole file, for the fixture checks that rely on it (fixtures-gpt2-pieces.test.ts; docs/ci.md, "Third
// pass"):
// 1. Values. An fp32 model gives one whole session's values bit for bit (optimizations and weight prepacking off
//    in both, as in the pieces; on, a whole session's values differ by float noise, ~1e-7). An fp16 model differs
//    from one whole session by exactly the fp16 rounding of the values that cross a piece boundary: the CPU EP
//    runs fp16 ops that have no fp16 kernel in fp32 and, inside one session, removes the Cast(float -> fp16) ->
//    Cast(fp16 -> float) pairs between them (onnxruntime's RemoveDuplicateCastTransformer), so a whole session
//    never rounds those values; a piece hands them on as the fp16 tensors the graph declares. Route each boundary
//    value through an fp16 Identity that is also a graph output (onnxruntime can then neither remove the Casts nor
//    run the Identity in fp32) and the whole session gives the pieces' values bit for bit.
// 2. The file. Pieces never see the declared types of the graph's value_info, inputs and outputs, its shapes or its
//    node order (a piece is rebuilt from the nodes, typed by the values that feed it). A whole-file load fails on a
//    wrong declared type and tolerates the rest; onnx.checker's full_check, which the fixture checks run on every
//    converted file, rejects all of them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertModel, decodeModel, encodeModel, floatOutputs, openModel, runOnce, segmentModel, summarizeModel, type ModelProto, type OrtBinding } from '../core/index';
import { fixtureRecipes, type RecipeName } from './fixture-recipes';
import { fixtureBytes, fixtureFeeds } from './fp32-refs';
import { checkModels, checkerAvailable } from './onnx-checker';
import { TEST_THREADS, compareModels, compareOutputs, hostFeeds, runCandidate, runModel } from './ort-node';

// bert-tiny (354 nodes) in two pieces, a session each: the embeddings with the first layer, then the second layer
// (the runner leaves models this small whole by default; minNodes 0 splits it as gpt2-deep200 is split).
const FIXTURE = 'bert-tiny-o14';
const SPLIT = { minNodes: 0 };
const model = openModel(fixtureBytes(FIXTURE));
const recipes = fixtureRecipes(summarizeModel(model));
const feeds = fixtureFeeds(model);
const converted = (recipe: RecipeName) => convertModel(model, recipes[recipe]).bytes;

/**
 * One whole session as the pieces' sessions run: optimizations 'disabled' (segment-runner.ts), and no prepacking. A
 * piece is fed its weights as inputs, a whole file holds them as initializers, which onnxruntime prepacks for its
 * GEMM (another summation order: bert-tiny's pooler Gemm then differs by ~7e-8, float noise).
 */
async function whole(bytes: Uint8Array): Promise<Record<string, Float32Array>> {
  const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled', ...TEST_THREADS, logSeverityLevel: 4, extra: { session: { disable_prepacking: '1' } } };
  return floatOutputs(await runOnce(ort as unknown as OrtBinding, bytes, hostFeeds(feeds), options));
}

/** The model with every value that crosses a piece boundary rounded where a piece would round it (see the header). */
function roundedAtBoundaries(bytes: Uint8Array): { bytes: Uint8Array; boundaries: number } {
  const m: ModelProto = decodeModel(bytes);
  const graphOutputs = new Set((m.graph!.output ?? []).map((o) => o.name));
  const rounded = new Map<string, string>();
  const added: { after: unknown; name: string; value: string }[] = [];
  for (const segment of segmentModel(m, 0)!.segments) {
    for (const node of segment.nodes) node.input = (node.input ?? []).map((i) => rounded.get(i) ?? i); // later pieces read the copy
    for (const value of segment.outputs.filter((o) => !graphOutputs.has(o))) {
      rounded.set(value, `${value}__rounded`);
      added.push({ after: segment.nodes.at(-1), name: `round_${value}`, value });
    }
  }
  const nodes = m.graph!.node!;
  for (const a of added) {
    nodes.splice(nodes.indexOf(a.after as (typeof nodes)[number]) + 1, 0, { name: a.name, opType: 'Identity', input: [a.value], output: [`${a.value}__rounded`] });
    m.graph!.output!.push({ name: `${a.value}__rounded` });
  }
  return { bytes: encodeModel(m), boundaries: added.length };
}

describe('pieces on onnxruntime-node against one whole session', () => {
  it('an fp32 model: the same values, bit for bit', async () => {
    const bytes = converted('issue-block-list'); // every op blocked: an fp32 model
    const pieces = await runCandidate(bytes, feeds, 'pieces', SPLIT);
    expect(pieces.pieces).toEqual({ steps: 2, sessions: 2 });
    const reference = await whole(bytes);
    for (const name of Object.keys(reference)) expect(pieces.outputs[name], name).toEqual(reference[name]);
  });

  it.each(['no-block-list', 'ort-default', 'norms-softmax-scope'] as const)(
    'an fp16 model (%s): different values, the same once each value crossing a piece boundary is rounded to fp16 in the whole session too',
    async (recipe) => {
      const bytes = converted(recipe);
      const pieces = await runCandidate(bytes, feeds, 'pieces', SPLIT);
      const plain = await whole(bytes);
      const explicit = roundedAtBoundaries(bytes);
      expect(explicit.boundaries).toBeGreaterThan(0);
      const rounded = await whole(explicit.bytes);
      const names = Object.keys(plain);
      // a whole session keeps those values in fp32 (onnxruntime removes the Cast pairs): closer to fp32, not equal
      expect(names.some((name) => pieces.outputs[name].some((v, i) => v !== plain[name][i]))).toBe(true);
      for (const name of names) expect(pieces.outputs[name], name).toEqual(rounded[name]);
    },
  );

  it('compares every stored output: one the converted model lacks, or gives as a non-float, fails', () => {
    const reference = { a: new ort.Tensor('float32', new Float32Array([1, 2]), [2]), b: new ort.Tensor('float32', new Float32Array([3]), [1]) };
    expect(compareOutputs(reference, { a: new Float32Array([1, 2]), b: new Float32Array([3]) }).map((c) => c.name)).toEqual(['a', 'b']);
    expect(() => compareOutputs(reference, { a: new Float32Array([1, 2]) })).toThrow(/no float output b/);
  });

  it('compareModels fails the same way on an output the candidate model lacks, naming it', async () => {
    const fp32 = fixtureBytes(FIXTURE);
    const m = decodeModel(fp32);
    const outputs = m.graph!.output!.map((o) => o.name!);
    expect(outputs.length).toBeGreaterThan(1);
    const dropped = outputs[outputs.length - 1];
    m.graph!.output!.pop();
    const reference = await runModel(fp32, feeds);
    await expect(compareModels(reference, encodeModel(m), feeds)).rejects.toThrow(`gives no float output ${dropped}`);
    expect((await compareModels(reference, fp32, feeds)).map((c) => c.name)).toEqual(outputs);
  });
});

/** Defects of a converted file that pieces cannot see, each as a change to its decoded model. */
const DEFECTS: { name: string; wholeLoad: 'fails' | 'loads'; pieces: 'run' | 'refuse'; apply: (m: ModelProto) => void }[] = [
  {
    name: 'a value_info declares float for an fp16 value',
    wholeLoad: 'fails',
    pieces: 'run',
    apply: (m) => {
      m.graph!.valueInfo!.find((v) => v.type?.tensorType?.elemType === 10)!.type!.tensorType!.elemType = 1;
    },
  },
  {
    name: 'a graph output declares float for an fp16 value',
    wholeLoad: 'fails',
    pieces: 'run',
    apply: (m) => {
      m.graph!.output![0].type!.tensorType!.elemType = 1;
    },
  },
  {
    name: 'a graph input declares float16 for int64 ids',
    wholeLoad: 'fails',
    pieces: 'run',
    apply: (m) => {
      m.graph!.input![0].type!.tensorType!.elemType = 10;
    },
  },
  {
    name: 'a value_info declares another dimension',
    wholeLoad: 'loads',
    pieces: 'run',
    apply: (m) => {
      const dims = m.graph!.valueInfo!.flatMap((v) => v.type?.tensorType?.shape?.dim ?? []);
      const dim = dims.find((d) => d.dimValue !== undefined && Number(d.dimValue) > 1)!;
      dim.dimValue = Number(dim.dimValue) + 1;
    },
  },
  {
    name: 'a graph output declares another rank',
    wholeLoad: 'loads',
    pieces: 'run',
    apply: (m) => {
      m.graph!.output![0].type!.tensorType!.shape!.dim!.push({ dimValue: 3 });
    },
  },
  {
    name: 'two nodes write the same value',
    wholeLoad: 'fails',
    pieces: 'refuse', // onnxruntime refuses the piece that holds both
    apply: (m) => {
      const nodes = m.graph!.node!;
      nodes[5].output![0] = nodes[4].output![0];
    },
  },
  {
    name: 'a node comes before the node that produces its input',
    wholeLoad: 'loads', // onnxruntime sorts the graph itself
    pieces: 'refuse', // segmentModel does not split it, and runCandidate refuses a model run whole
    apply: (m) => {
      const nodes = m.graph!.node!;
      const k = nodes.findIndex((n, i) => i > 0 && (n.input ?? []).includes(nodes[i - 1].output![0]));
      [nodes[k - 1], nodes[k]] = [nodes[k], nodes[k - 1]];
    },
  },
];

describe('what pieces do not see, onnx.checker (full_check) rejects', () => {
  it.runIf(checkerAvailable())('every file defect that fails a whole-file load (declared types, a value written twice), and the shape and order defects that load tolerates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-pieces-'));
    const bytes = converted('no-block-list');
    const files = [];
    for (const [k, defect] of DEFECTS.entries()) {
      const m = decodeModel(bytes);
      defect.apply(m);
      const broken = encodeModel(m);
      const loaded = await whole(broken).then(() => 'loads' as const, () => 'fails' as const);
      expect(loaded, defect.name).toBe(defect.wholeLoad);
      const pieces = await runCandidate(broken, feeds, 'pieces', SPLIT).then(() => 'run' as const, () => 'refuse' as const);
      expect(pieces, defect.name).toBe(defect.pieces);
      const file = join(dir, `defect-${k}.onnx`);
      writeFileSync(file, broken);
      files.push(file);
    }
    const intact = join(dir, 'intact.onnx');
    writeFileSync(intact, bytes);
    const results = checkModels([intact, ...files]);
    expect(results[0]).toMatchObject({ status: 'ok' });
    results.slice(1).forEach((result, k) => expect(result.status, DEFECTS[k].name).toBe('error'));
  });
});
