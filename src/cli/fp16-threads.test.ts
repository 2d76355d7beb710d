// The CLI's fp16 conversion over worker threads gives the bytes and counts of one thread, whatever the split,
// and a convert of a model above the threshold writes the same file with threads as without.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertFloat32BytesToFloat16 } from '../core/index';
import { writeMatMulModel } from '../../scripts/bench-cli';
import { Fp16Threads, fp16ThreadCount } from './fp16-threads';
import { main } from './main';

/** n float32s with every kind of value the conversion treats apart: tiny, huge, NaN, infinities, subnormals. */
function weights(n: number, buffer: ArrayBufferLike, byteOffset: number): Uint8Array {
  const values = new Float32Array(n);
  let s = 9;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 - 0.5;
    values[i] = i % 101 === 0 ? u * 1e6 : i % 103 === 0 ? u * 1e-9 : i % 1009 === 0 ? NaN : i % 1013 === 0 ? -Infinity : u;
  }
  const bytes = new Uint8Array(buffer, byteOffset, n * 4);
  bytes.set(new Uint8Array(values.buffer));
  return bytes;
}

describe('fp16 conversion threads', () => {
  const pool = new Fp16Threads(3);
  afterAll(() => pool.close());

  it('split a shared tensor over the threads: same bytes and counts as one thread', async () => {
    expect(await pool.ready).toBe(2);
    const n = 1_000_003;
    const bytes = weights(n, new SharedArrayBuffer(n * 4 + 3), 3); // unaligned, as weights inside a file are
    const want = { clamped: 0, raised: 0 };
    const expected = convertFloat32BytesToFloat16(bytes, want);
    expect(want.clamped).toBeGreaterThan(1000);
    expect(want.raised).toBeGreaterThan(1000);
    const stats = { clamped: 0, raised: 0 };
    const got = pool.converter(bytes, stats);
    expect(pool.splitTensors).toBe(1);
    expect(got.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(stats).toEqual(want);
    expect(Buffer.compare(got, expected)).toBe(0);
    // again: the workers take a second task after the first
    const again = { clamped: 0, raised: 0 };
    expect(Buffer.compare(pool.converter(bytes, again), expected)).toBe(0);
    expect(again).toEqual(want);
  });

  it('convert small or unshared tensors in this thread', () => {
    const before = pool.splitTensors;
    const small = weights(1000, new SharedArrayBuffer(4000), 0);
    const unshared = weights(400_000, new ArrayBuffer(1_600_000), 0);
    for (const bytes of [small, unshared]) {
      const want = { clamped: 0, raised: 0 };
      const stats = { clamped: 0, raised: 0 };
      expect(Buffer.compare(pool.converter(bytes, stats), convertFloat32BytesToFloat16(bytes, want))).toBe(0);
      expect(stats).toEqual(want);
    }
    expect(pool.splitTensors).toBe(before);
  });

  it('use the cores this process may run on from 4 up, at most 8, or CASTAWAY_THREADS', () => {
    expect(fp16ThreadCount('3', 16)).toBe(3);
    expect(fp16ThreadCount('1', 16)).toBe(1);
    expect(fp16ThreadCount(undefined, 16)).toBe(8);
    expect(fp16ThreadCount(undefined, 4)).toBe(4);
    expect(fp16ThreadCount('x', 2)).toBe(1); // a 2-core machine (or taskset -c 0,1): one thread
    expect(fp16ThreadCount('2', 2)).toBe(2);
  });
});

describe('castaway convert of a model above the threads threshold', () => {
  const dir = mkdtempSync(join(tmpdir(), 'castaway-threads-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same file with threads as with CASTAWAY_THREADS=1', async () => {
    const input = join(dir, 'big.onnx');
    writeMatMulModel(input, 68 << 20); // 17 weights of 4 MiB: over the 64 MiB threshold
    const previous = process.env.CASTAWAY_THREADS;
    try {
      for (const threads of ['1', '2']) {
        let progress = '';
        process.env.CASTAWAY_THREADS = threads;
        expect(await main(['convert', input, '-o', join(dir, `${threads}.onnx`)], () => {}, (s) => (progress += s))).toBe(0);
        expect(progress.includes('fp16 weights over 2 threads')).toBe(threads === '2');
      }
    } finally {
      if (previous === undefined) delete process.env.CASTAWAY_THREADS;
      else process.env.CASTAWAY_THREADS = previous;
    }
    expect(Buffer.compare(readFileSync(join(dir, '1.onnx')), readFileSync(join(dir, '2.onnx')))).toBe(0);
  }, 60_000);
});
