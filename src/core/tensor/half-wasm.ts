// WebAssembly SIMD kernels for the half codec (issue 9 item 6: a 1.3 GB model's weights converted in well
// under a second). A JavaScript loop over Uint32Array views peaks near a plain copy loop (~1 GB/s on a
// small machine); 128-bit SIMD does four float32s per instruction. Node 20 and Chromium both run it; where
// WebAssembly or its SIMD is missing, halfKernels() returns undefined and the codec keeps its scalar loops.
//
// The module is assembled here, at first use, from the instruction listing below (a few hundred bytes), so
// its source is this file and nothing is built elsewhere. The kernels do only the common case; the rounding
// rule stays the scalar one in half.ts, which the callers apply to the few elements the kernels flag:
// - encode: float32 -> float16 for values whose magnitude is in [2^-14, 65504] (normal halves), with the
//   same integer rounding as float32BitsToFloat16Bits's normal branch; every group of 8 elements that holds
//   anything else (zero, subnormal, overflow, infinity, NaN) is listed, for the caller to redo with the
//   scalar rule (and its clamp and count).
// - decode: float16 -> float32, every pattern exact (the float32 of a half is exact: shift the exponent and
//   mantissa into place and rescale by 2^112, which also normalises subnormals), NaNs made the canonical
//   quiet NaN 0x7fc00000 as a Float32Array store of NaN gives, so the output equals the table decoder's.
// Both work on the module's own memory: the caller copies a chunk in (TypedArray.set, a memcpy that also
// aligns views into a file) and the result out.

/** Elements per chunk: 256 KB of float32 in, 128 KB of halves out, small enough to stay in cache. */
export const HALF_CHUNK = 1 << 16;
/** Byte offsets in the module's memory. Encode: float32 in at F32_AT, halves out at F16_AT; decode the reverse. */
export const F32_AT = 0;
export const F16_AT = HALF_CHUNK * 4;
/** Encode lists the index of each group of 8 with an element outside the normal-half range here (u32 each). */
export const EDGES_AT = F16_AT + HALF_CHUNK * 2;
const PAGES = Math.ceil((EDGES_AT + (HALF_CHUNK / 8) * 4) / 65536);

export interface HalfKernels {
  /** The module's memory (never grown, so this view stays valid). */
  memory: Uint8Array;
  /** Encodes `groups` groups of 8 float32s at F32_AT to halves at F16_AT; returns how many groups it listed at EDGES_AT. */
  encode(groups: number): number;
  /** Decodes `groups` groups of 8 halves at F16_AT to float32s at F32_AT. */
  decode(groups: number): void;
}

// --- a minimal assembler: just the instructions the two kernels use ---

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const simd = (code: number): number[] => [0xfd, ...uleb(code)];
/** memarg: alignment exponent 0 (the kernels' addresses are 16-byte multiples anyway), then the offset. */
const mem = (offset: number): number[] => [0, ...uleb(offset)];

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  i32: (n: number) => [0x41, ...sleb(n)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  i32Store: (offset: number) => [0x36, 2, ...uleb(offset)],
  load: (offset: number) => [...simd(0x00), ...mem(offset)],
  store: (offset: number) => [...simd(0x0b), ...mem(offset)],
  /** v128.const with the same 32-bit value in all four lanes. */
  splat: (n: number) => [...simd(0x0c), ...[0, 1, 2, 3].flatMap(() => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff])],
  and: simd(0x4e),
  or: simd(0x50),
  bitselect: simd(0x52),
  anyTrue: simd(0x53),
  eq: simd(0x37),
  gtU: simd(0x3c),
  narrowU: simd(0x86), // i16x8.narrow_i32x4_u: saturating, exact for lanes in [0, 0xffff]
  extendLowU: simd(0xa9), // i32x4.extend_low_i16x8_u
  extendHighU: simd(0xaa),
  shl: simd(0xab),
  shrU: simd(0xad),
  add: simd(0xae),
  sub: simd(0xb1),
  fmul: simd(0xe6),
};

// encode(groups) -> edges. Locals: 0 groups (param), 1 g, 2 edges, 3 bits, 4 magnitude, 5 first half, 6 out-of-range.
/** Half bits of the 4 float32s at F32_AT + 32g + offset, left on the stack; out-of-range lanes or-ed into local 6. */
const encodeFour = (offset: number): number[] => [
  ...op.get(1), ...op.i32(5), ...op.i32Shl, ...op.load(F32_AT + offset), ...op.set(3),
  ...op.get(3), ...op.splat(0x7fffffff), ...op.and, ...op.set(4),
  // out of range unless magnitude - 2^-14's bits <= 65504's bits - 2^-14's bits (unsigned)
  ...op.get(4), ...op.splat(0x38800000), ...op.sub, ...op.splat(0x477fe000 - 0x38800000), ...op.gtU,
  ...op.get(6), ...op.or, ...op.set(6),
  // (magnitude - 0x38000000 + 0xfff + ((magnitude >>> 13) & 1)) >>> 13, as half.ts's normal branch
  ...op.get(4), ...op.splat(0x38000000 - 0xfff), ...op.sub,
  ...op.get(4), ...op.i32(13), ...op.shrU, ...op.splat(1), ...op.and, ...op.add,
  ...op.i32(13), ...op.shrU,
  // | the sign: (bits >>> 16) & 0x8000
  ...op.get(3), ...op.i32(16), ...op.shrU, ...op.splat(0x8000), ...op.and, ...op.or,
];
const encodeBody = [
  2, 2, I32, 4, V128, // locals: g, edges (i32); bits, magnitude, first half, out-of-range (v128)
  ...op.block, ...op.loop,
  ...op.get(1), ...op.get(0), ...op.i32GeU, ...op.brIf(1),
  ...op.splat(0), ...op.set(6),
  ...encodeFour(0), ...op.set(5),
  // the store address first, then both halves of four, narrowed to eight u16
  ...op.get(1), ...op.i32(4), ...op.i32Shl,
  ...op.get(5), ...encodeFour(16), ...op.narrowU, ...op.store(F16_AT),
  ...op.get(6), ...op.anyTrue, ...op.if,
  ...op.get(2), ...op.i32(2), ...op.i32Shl, ...op.get(1), ...op.i32Store(EDGES_AT),
  ...op.get(2), ...op.i32(1), ...op.i32Add, ...op.set(2),
  ...op.end,
  ...op.get(1), ...op.i32(1), ...op.i32Add, ...op.set(1),
  ...op.br(0),
  ...op.end, ...op.end,
  ...op.get(2),
  ...op.end,
];

// decode(groups). Locals: 0 groups (param), 1 g, 2 eight halves, 3 four halves widened to u32, 4 magnitude, 5 value.
/** float32 bits of the four widened halves in local 3, left on the stack (v128.bitselect(a, b, mask): a where mask). */
const decodeFour = [
  ...op.get(3), ...op.splat(0x7fff), ...op.and, ...op.set(4),
  // sign << 16, or-ed in at the end
  ...op.get(3), ...op.splat(0x8000), ...op.and, ...op.i32(16), ...op.shl,
  // infinity form (exponent all ones) over the scaled form, where the half's exponent is all ones
  ...op.get(4), ...op.i32(13), ...op.shl, ...op.splat(0x7f800000), ...op.or,
  ...op.get(4), ...op.i32(13), ...op.shl, ...op.splat(0x77800000), ...op.fmul,
  ...op.get(4), ...op.splat(0x7c00), ...op.and, ...op.splat(0x7c00), ...op.eq,
  ...op.bitselect,
  ...op.or,
  ...op.set(5),
  // NaN (magnitude above 0x7c00): the canonical quiet NaN over the value
  ...op.splat(0x7fc00000), ...op.get(5),
  ...op.get(4), ...op.splat(0x7c00), ...op.gtU,
  ...op.bitselect,
];
const decodeBody = [
  2, 1, I32, 4, V128, // locals: g (i32); eight halves, four widened, magnitude, value (v128)
  ...op.block, ...op.loop,
  ...op.get(1), ...op.get(0), ...op.i32GeU, ...op.brIf(1),
  ...op.get(1), ...op.i32(4), ...op.i32Shl, ...op.load(F16_AT), ...op.set(2),
  // low four: address g * 32
  ...op.get(1), ...op.i32(5), ...op.i32Shl,
  ...op.get(2), ...op.extendLowU, ...op.set(3),
  ...decodeFour, ...op.store(F32_AT),
  ...op.get(1), ...op.i32(5), ...op.i32Shl,
  ...op.get(2), ...op.extendHighU, ...op.set(3),
  ...decodeFour, ...op.store(F32_AT + 16),
  ...op.get(1), ...op.i32(1), ...op.i32Add, ...op.set(1),
  ...op.br(0),
  ...op.end, ...op.end,
  ...op.end,
];

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/** The module's bytes: two functions, (i32) -> i32 encode and (i32) -> () decode, and an exported memory. */
export function halfModuleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, 1, I32, 1, I32], [0x60, 1, I32, 0]])),
    ...section(3, vector([[0], [1]])),
    ...section(5, vector([[0x00, ...uleb(PAGES)]])),
    ...section(7, vector([[...name('memory'), 0x02, 0], [...name('encode'), 0x00, 0], [...name('decode'), 0x00, 1]])),
    ...section(10, vector([[...uleb(encodeBody.length), ...encodeBody], [...uleb(decodeBody.length), ...decodeBody]])),
  ]);
}

// The WebAssembly API as far as this file uses it: src/core compiles without DOM or Node types.
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

let kernels: HalfKernels | null | undefined;
let disabled = false;

/** Turns the kernels off (true) or back on: the tests and the bench run the scalar loops this way. */
export function disableHalfKernels(off: boolean): void {
  disabled = off;
}

/**
 * The kernels, instantiated on first use (synchronously: the module is far below the 4 KB that browsers
 * allow a main thread to compile synchronously), or undefined where WebAssembly SIMD is not available.
 */
export function halfKernels(): HalfKernels | undefined {
  if (disabled) return undefined;
  if (kernels === undefined) {
    kernels = null;
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = halfModuleBytes();
    try {
      if (wasm && wasm.validate(bytes)) {
        const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
        kernels = {
          memory: new Uint8Array((exports.memory as { buffer: ArrayBuffer }).buffer),
          encode: exports.encode as (groups: number) => number,
          decode: exports.decode as (groups: number) => void,
        };
      }
    } catch {
      // a page whose Content-Security-Policy forbids compiling WebAssembly: the scalar loops, same results
    }
  }
  return kernels ?? undefined;
}
