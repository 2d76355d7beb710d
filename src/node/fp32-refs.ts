// fp32 reference outputs of the fixture models, kept as test data beside the fixtures (fixtures/refs/), as the
// ONNX backend test suite ships its expected outputs: the fixture checks compare each converted model with
// these instead of creating an fp32 onnxruntime session per test file. For gpt2-deep200 that session alone is
// ~25 s of CPU, paid twice (docs/ci.md).
//
// A reference is bound to everything its numbers depend on by a key: sha256 of the model bytes, the seeded
// feeds (names, types, dims, bytes), the session options and onnxruntime's version. A fixture, feed generator,
// option or onnxruntime change makes the key differ, and reading the reference then fails with the command
// that regenerates it (`npm run fixtures:refs`): a stale reference can never pass.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { generateInputs, openModel } from '../core/index';
import { REFERENCE_SESSION, runModel, type Feeds } from './ort-node';

export const REFS_COMMAND = 'npm run fixtures:refs';

/** Where a fixture's reference lives. */
export function referenceUrl(fixture: string): URL {
  return new URL(`../../fixtures/refs/${fixture}.json`, import.meta.url);
}

export function fixtureBytes(fixture: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/models/${fixture}.onnx`, import.meta.url)));
}

/** The seeded feeds every fixture check runs (batch 1, sequence 8, seed 7). */
export function fixtureFeeds(model: ReturnType<typeof openModel>): Feeds {
  const feeds: Feeds = {};
  for (const input of generateInputs(model.ir, { batch: 1, batch_size: 1, sequence: 8, sequence_length: 8, seq: 8, encoder_sequence_length: 8, decoder_sequence_length: 8 }, 7)) {
    feeds[input.name] = new ort.Tensor(input.type, input.data as never, input.dims);
  }
  return feeds;
}

function tensorBytes(t: ort.Tensor): Uint8Array {
  const data = t.data as ArrayBufferView;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The key of the outputs onnxruntime computes for these model bytes and feeds. */
export function referenceKey(modelBytes: Uint8Array, feeds: Feeds): string {
  const h = createHash('sha256');
  const field = (s: string) => h.update(`${s.length}:${s};`);
  field('castaway-fp32-reference-v1');
  field(`onnxruntime-node ${ort.env.versions.node ?? '?'}`);
  field(JSON.stringify(REFERENCE_SESSION));
  h.update(createHash('sha256').update(modelBytes).digest());
  for (const name of Object.keys(feeds).sort()) {
    const t = feeds[name];
    field(name);
    field(t.type);
    field(t.dims.join(','));
    h.update(createHash('sha256').update(tensorBytes(t)).digest());
  }
  return h.digest('hex');
}

export interface StoredOutput {
  name: string;
  type: 'float32';
  dims: number[];
  /** little-endian float32, base64 */
  data: string;
}

export interface StoredReference {
  fixture: string;
  key: string;
  onnxruntime: string;
  regenerate: string;
  outputs: StoredOutput[];
}

/** Runs the fp32 model in onnxruntime-node and packs its float outputs for fixtures/refs/. */
export async function computeReference(fixture: string, modelBytes: Uint8Array, feeds: Feeds): Promise<StoredReference> {
  const outputs = await runModel(modelBytes, feeds);
  return {
    fixture,
    key: referenceKey(modelBytes, feeds),
    onnxruntime: ort.env.versions.node ?? '?',
    regenerate: REFS_COMMAND,
    outputs: Object.keys(outputs)
      .sort()
      .flatMap((name) => {
        const t = outputs[name];
        if (t.type !== 'float32') return []; // only float outputs are compared (ort-node.ts compareModels)
        return [{ name, type: 'float32' as const, dims: [...t.dims], data: Buffer.from(tensorBytes(t)).toString('base64') }];
      }),
  };
}

export class StaleReferenceError extends Error {}

/** The stored outputs as tensors, after checking that they belong to exactly these model bytes and feeds. */
export function readReference(fixture: string, modelBytes: Uint8Array, feeds: Feeds, url = referenceUrl(fixture)): Record<string, ort.Tensor> {
  const where = url.pathname.replace(/.*\/fixtures\//, 'fixtures/');
  let stored: StoredReference;
  try {
    stored = JSON.parse(readFileSync(url, 'utf8')) as StoredReference;
  } catch (e) {
    throw new StaleReferenceError(`${where}: no fp32 reference for ${fixture} (${(e as Error).message}); run \`${REFS_COMMAND}\``);
  }
  const key = referenceKey(modelBytes, feeds);
  if (stored.key !== key || stored.fixture !== fixture) {
    throw new StaleReferenceError(
      `${where} is stale: it was computed for other model bytes, feeds, session options or onnxruntime ` +
        `(${stored.onnxruntime}; this one is ${ort.env.versions.node}); stored key ${stored.key}, now ${key}. ` +
        `Run \`${REFS_COMMAND}\` and commit fixtures/refs/.`,
    );
  }
  const result: Record<string, ort.Tensor> = {};
  for (const o of stored.outputs) {
    const bytes = Buffer.from(o.data, 'base64');
    const data = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(data.buffer).set(bytes);
    result[o.name] = new ort.Tensor('float32', data, o.dims);
  }
  return result;
}
