// The stored fp32 references (fp32-refs.ts) stand in for an fp32 onnxruntime session in the fixture checks, so
// this proves the mechanism: a reference recomputed now matches the stored one, and any change to what the
// numbers depend on makes reading it fail with the command that regenerates it.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { openModel } from '../core/index';
import { REFS_COMMAND, StaleReferenceError, computeReference, fixtureBytes, fixtureFeeds, readReference, referenceKey } from './fp32-refs';
import { toFloat32, type Feeds } from './ort-node';

const FIXTURE = 'pegasus-small-o18-encoder'; // the smallest fixture: its fp32 session takes a fraction of a second
const bytes = fixtureBytes(FIXTURE);
const feeds = fixtureFeeds(openModel(bytes));

/** The same feeds with one byte of one input changed. */
function nudged(f: Feeds): Feeds {
  const [name] = Object.keys(f).sort();
  const t = f[name];
  const data = (t.data as BigInt64Array | Float32Array).slice() as BigInt64Array | Float32Array;
  new Uint8Array(data.buffer)[0] ^= 1;
  return { ...f, [name]: new ort.Tensor(t.type, data, t.dims) };
}

describe('stored fp32 references (fixtures/refs/)', () => {
  it('match what onnxruntime-node computes now for the same model and feeds', async () => {
    const now = await computeReference(FIXTURE, bytes, feeds);
    const stored = readReference(FIXTURE, bytes, feeds);
    expect(now.outputs.map((o) => o.name)).toEqual(Object.keys(stored).sort());
    for (const o of now.outputs) {
      const fresh = new Float32Array(new Uint8Array(Buffer.from(o.data, 'base64')).buffer);
      const kept = toFloat32(stored[o.name])!;
      expect(stored[o.name].dims).toEqual(o.dims);
      expect(kept.length).toBe(fresh.length);
      // Bitwise on the machine that wrote them; another CPU's kernels (AVX2 vs AVX-512) may round differently.
      const scale = Math.max(...Array.from(fresh, Math.abs));
      let worst = 0;
      for (let i = 0; i < fresh.length; i++) worst = Math.max(worst, Math.abs(fresh[i] - kept[i]));
      expect(worst).toBeLessThanOrEqual(1e-4 * scale);
    }
  });

  it('are keyed by the model bytes: another model fails with the command that regenerates them', () => {
    const other = new Uint8Array(bytes.length + 1);
    other.set(bytes);
    expect(referenceKey(other, feeds)).not.toBe(referenceKey(bytes, feeds));
    expect(() => readReference(FIXTURE, other, feeds)).toThrow(StaleReferenceError);
    expect(() => readReference(FIXTURE, other, feeds)).toThrow(REFS_COMMAND);
  });

  it('are keyed by the feeds: one changed byte of an input fails', () => {
    expect(referenceKey(bytes, nudged(feeds))).not.toBe(referenceKey(bytes, feeds));
    expect(() => readReference(FIXTURE, bytes, nudged(feeds))).toThrow(REFS_COMMAND);
  });

  it('are keyed by the feeds\' shapes as well as their bytes', () => {
    const [name] = Object.keys(feeds).sort();
    const t = feeds[name];
    const flat = { ...feeds, [name]: new ort.Tensor(t.type, t.data as BigInt64Array, [t.size]) };
    expect(referenceKey(bytes, flat)).not.toBe(referenceKey(bytes, feeds));
  });

  it('fail with the command when a fixture has none', () => {
    expect(() => readReference(FIXTURE, bytes, feeds, new URL('./no-such-reference.json', import.meta.url))).toThrow(REFS_COMMAND);
  });
});
