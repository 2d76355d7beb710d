// Throughput of the half-precision array codec (`npm run bench`): float32 -> float16 of stored data (the
// rewrite's clamp-and-count step, which dominates converting a large model) and float16 -> float32.
import { convertFloat32BytesToFloat16 } from '../src/core/index';
import { float16ArrayToFloat32 } from '../src/core/index';
import { disableHalfKernels } from '../src/core/index';

export interface HalfBench {
  megabytes: number;
  /** GB/s of float32 input converted to float16 (clamp and count included), by wall clock. */
  encodeGBps: number;
  /** The same by this process's CPU time: what the codec does on a core of its own (the machine is shared). */
  encodeCpuGBps: number;
  /** GB/s of float16 input decoded to float32, by wall clock and by CPU time. */
  decodeGBps: number;
  decodeCpuGBps: number;
  /** A plain loop copying the float32 array as Uint32 (GB/s by wall clock): what this machine's loops reach. */
  copyGBps: number;
  /** The same encode and decode figures (by CPU time) with the WebAssembly SIMD kernels turned off: the scalar loops. */
  scalar?: { encodeCpuGBps: number; decodeCpuGBps: number };
}

/** The codec as it runs, and (unless `scalar` is false) the same with its SIMD kernels off, in this one process. */
export function benchHalf(elements = 64 * 1024 * 1024, runs = 5, scalar = true): HalfBench {
  const fast = benchHalfOnce(elements, runs);
  if (!scalar) return fast;
  disableHalfKernels(true);
  try {
    const slow = benchHalfOnce(elements, runs);
    return { ...fast, scalar: { encodeCpuGBps: slow.encodeCpuGBps, decodeCpuGBps: slow.decodeCpuGBps } };
  } finally {
    disableHalfKernels(false);
  }
}

function benchHalfOnce(elements: number, runs: number): HalfBench {
  const values = new Float32Array(elements);
  let s = 1;
  for (let i = 0; i < elements; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    values[i] = ((s / 4294967296) * 2 - 1) * (i % 97 === 0 ? 1e5 : 1); // a few values to clamp
  }
  const bytes = new Uint8Array(values.buffer);
  /** Best wall and best CPU milliseconds over the runs. */
  const best = (f: () => void): [number, number] => {
    let wall = Infinity;
    let cpu = Infinity;
    for (let r = 0; r < runs; r++) {
      const c = process.cpuUsage();
      const t = performance.now();
      f();
      wall = Math.min(wall, performance.now() - t);
      const used = process.cpuUsage(c);
      cpu = Math.min(cpu, (used.user + used.system) / 1000);
    }
    return [wall, cpu];
  };
  let half: Uint8Array = new Uint8Array(0);
  const [encodeMs, encodeCpuMs] = best(() => {
    half = convertFloat32BytesToFloat16(bytes, { clamped: 0, raised: 0 });
  });
  const bits = new Uint16Array(half.buffer);
  const [decodeMs, decodeCpuMs] = best(() => float16ArrayToFloat32(bits));
  const words = new Uint32Array(values.buffer);
  const [copyMs] = best(() => {
    const copy = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) copy[i] = words[i];
  });
  const gbps = (n: number, ms: number) => n / 1e6 / ms;
  return {
    megabytes: bytes.byteLength / 1e6,
    encodeGBps: gbps(bytes.byteLength, encodeMs),
    encodeCpuGBps: gbps(bytes.byteLength, encodeCpuMs),
    decodeGBps: gbps(bits.byteLength, decodeMs),
    decodeCpuGBps: gbps(bits.byteLength, decodeCpuMs),
    copyGBps: gbps(bytes.byteLength, copyMs),
  };
}
