// The type layer: op schemas, slot groups, element-type inference and per-EP float16 kernels.
export { formalAt, groupAllowsFloat16, groupAllowsLow, isSchemaDomain, lookupSchema, slotGroups } from './schema';
export type { FormalOption, FormalParam, OpSchema, SlotGroup } from './schema';
export { elementTypeIn, inferElementTypes } from './infer';
export type { ElementTypes, TypeDisagreement, UntypedNode } from './infer';
export { inferModelTypes } from './model-types';
export type { ModelTypes } from './model-types';
export { hasFloat16Kernel, hasKernel, hasLowKernel, kernelFor } from './ep-kernels';
export type { EpKernel, KernelEp } from './ep-kernels';
export { isTensorType, parseTypeString, typeCodeToString, typeProtoCode } from './type-codes';
