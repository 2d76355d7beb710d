// The low precisions a model can be converted to, one per model: everything the planner, the rewrite, the
// simulation and the preview need to know about the low type lives in this one table, so a third format
// is a row here plus its codec in half.ts (issue 11, "The proof: bf16").
import { DataType } from '../onnx/proto-types';
import { BF16_MAX, FP16_MAX, LITTLE_ENDIAN, bfloat16BitsToFloat32, float16BitsToFloat32, float32BitsToBfloat16Bits, float32BitsToFloat16Bits } from './half';

export const LOW_PRECISIONS = ['fp16', 'bf16'] as const;
export type LowPrecision = (typeof LOW_PRECISIONS)[number];
const DEFAULT_LOW_PRECISION: LowPrecision = 'fp16';

export interface LowFormat {
  id: LowPrecision;
  /** ONNX TensorProto.DataType of the low type. */
  elemType: number;
  /** The type's name in ONNX schemas and in Cast-1's `to` string. */
  onnxName: 'FLOAT16' | 'BFLOAT16';
  /** Its name in type constraints ("tensor(float16)"), as the EP kernel tables list it. */
  schemaType: 'float16' | 'bfloat16';
  /** Largest finite value; beyond it a computed value becomes infinite. */
  max: number;
  /**
   * Whether stored values beyond `max` exist in float32 at all: fp16's range is small, so conversion clamps
   * (rewrite/fp16.ts); bf16 has float32's exponent range, so nothing is clamped and nothing is raised.
   */
  clamps: boolean;
  /** Smallest ai.onnx opset whose Cast (and most float ops) accept the type. */
  minOpset: number;
  /** Low bits of the float32 with bit pattern `bits`, rounded to nearest even. */
  fromFloat32Bits(bits: number): number;
  toFloat32(bits: number): number;
  /** Relative rounding error of one stored value, uniform model: 2^-(p) / sqrt(3) with p mantissa bits + 1. */
  roundingError: number;
}

export const LOW_FORMATS: Readonly<Record<LowPrecision, LowFormat>> = {
  fp16: {
    id: 'fp16',
    elemType: DataType.FLOAT16,
    onnxName: 'FLOAT16',
    schemaType: 'float16',
    max: FP16_MAX,
    clamps: true,
    minOpset: 1,
    fromFloat32Bits: float32BitsToFloat16Bits,
    toFloat32: float16BitsToFloat32,
    roundingError: 2 ** -11 / Math.sqrt(3),
  },
  bf16: {
    id: 'bf16',
    elemType: DataType.BFLOAT16,
    onnxName: 'BFLOAT16',
    schemaType: 'bfloat16',
    max: BF16_MAX,
    clamps: false,
    minOpset: 13,
    fromFloat32Bits: float32BitsToBfloat16Bits,
    toFloat32: bfloat16BitsToFloat32,
    roundingError: 2 ** -8 / Math.sqrt(3),
  },
};

export function isLowPrecision(value: unknown): value is LowPrecision {
  return typeof value === 'string' && (LOW_PRECISIONS as readonly string[]).includes(value);
}

export function lowFormat(low: LowPrecision | undefined): LowFormat {
  return LOW_FORMATS[low ?? DEFAULT_LOW_PRECISION];
}

/** Little-endian float32 bytes to bfloat16 bytes (round to nearest even; no clamping: same range). */
export function convertFloat32BytesToBfloat16(bytes: Uint8Array): Uint8Array {
  const count = bytes.byteLength >>> 2;
  const out = new Uint8Array(count * 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * 4);
  const output = new DataView(out.buffer);
  // Integer views where the bytes are aligned on a little-endian host (every host this runs on); a DataView
  // otherwise (views into a file are often unaligned).
  if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) {
    const input = new Uint32Array(bytes.buffer, bytes.byteOffset, count);
    const out16 = new Uint16Array(out.buffer);
    for (let i = 0; i < count; i++) out16[i] = float32BitsToBfloat16Bits(input[i]);
    return out;
  }
  for (let i = 0; i < count; i++) output.setUint16(i * 2, float32BitsToBfloat16Bits(view.getUint32(i * 4, true)), true);
  return out;
}
