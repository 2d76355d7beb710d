// The SIMD kernels against the scalar codec, bit for bit: every float32 pattern of the exponents where the
// kernel's range test flips (zero and float32 subnormals, just below and at fp16's smallest normal, at and
// above its largest, infinity and NaN), both signs; millions of random patterns; every half for the decoder;
// odd lengths and unaligned views (the kernel reads stale words past a partial group).
import { afterEach, describe, expect, it } from 'vitest';
import { convertFloat32BytesToFloat16, convertFloat32BytesToFloat16Into, countFloat16Loss } from '../rewrite/fp16';
import { float16ArrayToFloat32, float32ArrayToFloat16, float32BitsToFloat16Bits } from './half';
import { disableHalfKernels, halfKernels, halfModuleBytes } from './half-wasm';

afterEach(() => disableHalfKernels(false));

/** Patterns with one of `exponents`, both signs: every mantissa (step 1), or every step-th and the 512 at each end. */
function exponentSweep(exponents: readonly number[], step = 1): Uint32Array {
  const words = new Uint32Array(exponents.length << 24);
  let k = 0;
  for (const e of exponents) {
    for (let m = 0; m < 1 << 24; m++) {
      const mantissa = m >>> 1;
      if (step === 1 || mantissa % step === 0 || mantissa < 512 || mantissa >= (1 << 23) - 512) words[k++] = ((m & 1) << 31) | (e << 23) | mantissa;
    }
  }
  return words.slice(0, k);
}

function randomWords(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s;
  }
  return out;
}

/** Indices (as hex patterns) where `got` differs from the scalar rule, at most 10. */
function mismatches(words: Uint32Array, got: Uint16Array, rule: (bits: number) => number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < words.length && bad.length < 10; i++) if (got[i] !== rule(words[i])) bad.push(words[i].toString(16));
  return bad;
}

describe('half SIMD kernels', () => {
  it('assemble to a valid module that this runtime runs (Node 20 has WebAssembly SIMD)', () => {
    expect(WebAssembly.validate(halfModuleBytes())).toBe(true);
    expect(halfKernels()).toBeDefined();
    disableHalfKernels(true);
    expect(halfKernels()).toBeUndefined();
  });

  it('round float32 -> float16 exactly as the scalar rule on every pattern of the range-edge exponents', () => {
    // 113: 2^-14, where the kernel's range starts; 142: up to 65504, where it ends (all 2^24 patterns each)
    const words = exponentSweep([113, 142]);
    const got = float32ArrayToFloat16(new Float32Array(words.buffer));
    expect(mismatches(words, got, float32BitsToFloat16Bits)).toEqual([]);
    // outside it (zero and float32 subnormals, fp16 subnormals and the tie at 2^-25, below 2^-14, overflow,
    // infinity and NaN payloads) the scalar rule answers: sampled
    const edges = exponentSweep([0, 1, 101, 102, 103, 111, 112, 143, 144, 254, 255], 61);
    expect(mismatches(edges, float32ArrayToFloat16(new Float32Array(edges.buffer)), float32BitsToFloat16Bits)).toEqual([]);
  });

  it('round 4M random patterns and every normal exponent exactly as the scalar rule', () => {
    const words = randomWords(1 << 22, 7);
    for (let e = 0; e < 256; e++) words[e] = (e << 23) | 0x1000; // a tie in every exponent
    const got = float32ArrayToFloat16(new Float32Array(words.buffer));
    expect(mismatches(words, got, float32BitsToFloat16Bits)).toEqual([]);
  });

  it('decode every half to the same float32 bits as the table (NaNs the canonical quiet NaN)', () => {
    const all = new Uint16Array(0x20003).map((_, i) => i & 0xffff); // 2 chunks and a partial group
    const fast = new Uint32Array(float16ArrayToFloat32(all).buffer);
    disableHalfKernels(true);
    const table = new Uint32Array(float16ArrayToFloat32(all).buffer);
    expect(fast.length).toBe(all.length);
    const bad = [];
    for (let i = 0; i < all.length; i++) if (fast[i] !== table[i]) bad.push(all[i].toString(16));
    expect(bad.slice(0, 10)).toEqual([]);
  });
});

describe('fp16 storage conversion with the kernels (clamp, raise, count)', () => {
  // the values the rewrite stores: range edges, tiny values to raise, huge ones to clamp, NaN payloads
  const words = new Uint32Array([...exponentSweep([0, 101, 102, 103, 112, 113, 142, 143, 255], 127), ...randomWords(1 << 19, 3)]);
  const bytes = new Uint8Array(words.buffer);

  const scalar = (input: Uint8Array) => {
    disableHalfKernels(true);
    const stats = { clamped: 0, raised: 0 };
    const out = convertFloat32BytesToFloat16(input, stats);
    disableHalfKernels(false);
    return { out, stats };
  };

  it('gives the scalar loop\'s bytes and counts, and count-only gives the same counts', () => {
    const want = scalar(bytes);
    expect(want.stats.clamped).toBeGreaterThan(100_000);
    expect(want.stats.raised).toBeGreaterThan(100_000);
    const stats = { clamped: 0, raised: 0 };
    const got = convertFloat32BytesToFloat16(bytes, stats);
    expect(stats).toEqual(want.stats);
    expect(Buffer.compare(got, want.out)).toBe(0);
    const counted = { clamped: 0, raised: 0 };
    countFloat16Loss(bytes, counted);
    expect(counted).toEqual(want.stats);
  });

  it('gives the same bytes from unaligned views of odd lengths, and split into ranges (as the CLI\'s threads do)', () => {
    const n = 200_003;
    const padded = new Uint8Array(n * 4 + 3);
    padded.set(bytes.subarray(0, n * 4), 3);
    const view = padded.subarray(3, 3 + n * 4);
    const want = scalar(view);
    const whole = convertFloat32BytesToFloat16(view, { clamped: 0, raised: 0 });
    expect(Buffer.compare(whole, want.out)).toBe(0);
    // three ranges written into slices of one shared output at odd element counts
    const shared = new Uint8Array(new SharedArrayBuffer(n * 2 + 2)).subarray(2);
    const stats = { clamped: 0, raised: 0 };
    for (const [from, to] of [[0, 70_001], [70_001, 70_010], [70_010, n]]) {
      convertFloat32BytesToFloat16Into(view.subarray(from * 4, to * 4), shared.subarray(from * 2, to * 2), stats);
    }
    expect(stats).toEqual(want.stats);
    expect(Buffer.compare(shared, want.out)).toBe(0);
    // and the scalar loop into an odd-offset view (no kernels) writes the same
    disableHalfKernels(true);
    const odd = new Uint8Array(n * 2 + 1).subarray(1);
    convertFloat32BytesToFloat16Into(view, odd, { clamped: 0, raised: 0 });
    expect(Buffer.compare(odd, want.out)).toBe(0);
  });
});
