// Which ops each onnxruntime execution provider can run in float16 and in bfloat16, per opset (the generated
// table, from onnxruntime's own kernel lists). An op the target EP has no kernel for in the recipe's low type
// must stay fp32, or onnxruntime falls back to another EP (usually the CPU, which has almost no float16 or
// bfloat16 kernels) around it.
//
// WebGPU: onnxruntime-web's op list names ops and opset ranges but no element types. A listed op counts as
// having a float16 kernel, because the WebGPU kernels register float16 beside float32 for float ops (used
// when the adapter has shader-f16); `kernelFor(...).typesKnown` is false for those rows so callers can tell.
// WGSL has no bfloat16, so no WebGPU row takes it.
import { EP_KERNELS_JSON } from './ep-kernels.generated';
import type { TargetEp } from '../api';
import { normalizeDomain } from '../onnx/domain';
import type { LowPrecision } from '../tensor/low-precision';

/** The execution providers with a kernel table: every target but 'any'. */
export type KernelEp = Exclude<TargetEp, 'any'>;

export interface EpKernel {
  /** First and last opset of the registration (end undefined: no upper bound). */
  start: number;
  end: number | undefined;
  /** Type parameters of the kernel whose registered types include tensor(float16). */
  float16Params: readonly string[];
  /** Type parameters of the kernel whose registered types include tensor(bfloat16). */
  bfloat16Params: readonly string[];
  /** False when the source lists the op without its element types (WebGPU). */
  typesKnown: boolean;
}

type Row = [number, number, string, string];
let table: Record<string, Record<string, Record<string, Row[]>>> | undefined;

function rows(ep: KernelEp, domain: string, opType: string): Row[] | undefined {
  table ??= JSON.parse(EP_KERNELS_JSON) as Record<string, Record<string, Record<string, Row[]>>>;
  return table[ep]?.[normalizeDomain(domain)]?.[opType];
}

/** The kernel registration covering the op at the model's opset for its domain; undefined when the EP has none. */
export function kernelFor(ep: KernelEp, domain: string, opType: string, opsetVersion: number): EpKernel | undefined {
  for (const [start, end, params, bfParams] of rows(ep, domain, opType) ?? []) {
    if (start <= opsetVersion && (end === 0 || opsetVersion <= end)) {
      const typesKnown = params !== '*';
      const list = (p: string) => (p && p !== '*' ? p.split(',') : []);
      return { start, end: end || undefined, float16Params: list(params), bfloat16Params: list(bfParams), typesKnown };
    }
  }
  return undefined;
}

/** Whether the EP has any kernel for the op at that opset (float16 or not). */
export function hasKernel(ep: KernelEp, domain: string, opType: string, opsetVersion: number): boolean {
  return kernelFor(ep, domain, opType, opsetVersion) !== undefined;
}

/**
 * Whether the EP can run the op in float16 at that opset: some type parameter of its kernel admits
 * tensor(float16). Always true for 'any' (no target chosen). Domain '' and 'ai.onnx' are the same.
 */
export function hasFloat16Kernel(ep: KernelEp | 'any', domain: string, opType: string, opsetVersion: number): boolean {
  if (ep === 'any') return true;
  const kernel = kernelFor(ep, domain, opType, opsetVersion);
  return !!kernel && (!kernel.typesKnown || kernel.float16Params.length > 0);
}

/**
 * Whether the EP can run the op in the recipe's low type at that opset: hasFloat16Kernel for fp16; for bf16,
 * some type parameter of its kernel admits tensor(bfloat16) (never on WebGPU). Always true for 'any'.
 */
export function hasLowKernel(ep: KernelEp | 'any', low: LowPrecision, domain: string, opType: string, opsetVersion: number): boolean {
  if (low === 'fp16') return hasFloat16Kernel(ep, domain, opType, opsetVersion);
  if (ep === 'any') return true;
  const kernel = kernelFor(ep, domain, opType, opsetVersion);
  return !!kernel && kernel.bfloat16Params.length > 0;
}
