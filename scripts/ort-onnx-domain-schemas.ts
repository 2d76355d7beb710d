// Schemas for the ops onnxruntime registers in the ONNX domain where onnx itself has none: ops it keeps
// from before they were standardized or after onnx dropped them (LayerNormalization and
// SimplifiedLayerNormalization from opset 1, which its transformer optimizer writes into opset-14 models;
// MeanVarianceNormalization before 9, ThresholdedRelu before 10; the retired experimental Affine, Crop,
// DynamicSlice, ImageScaler, ParametricSoftplus, Scale, ScaledTanh; the Memcpy nodes it inserts itself).
// onnxruntime loads models with them, so Castaway must type them too (issue 9, item 1).
//
// The facts come from the kernel tables (data/ort-ep-kernels.source.md, onnxruntime's OperatorKernels.md):
// every ai.onnx row whose opset range starts before onnx's first schema of that op (or of an op onnx does
// not have) becomes a schema with since_version = the row's start:
// - formal inputs and outputs from the op's Parameters cell; where it lists alternatives ("... or ..."),
//   the one whose type parameters match the row's Types cell (LayerNormalization 1-16 uses T, U and V:
//   X:T, Scale:V, B:V, Y:V, Mean:U, InvStdDev:U, as in onnxruntime's contrib schema);
// - allowed types per type parameter: the types EVERY execution provider registering that range accepts
//   (the intersection). A kernel table says which types each parameter takes, not which combinations are
//   registered, and onnxruntime's schema for these ops is not in the contrib dump; the intersection is
//   what every provider runs (e.g. LayerNormalization's Mean/InvStdDev, U: CPU double/float/float16, CUDA
//   double/float, DML float/float16 -> float only, so the planner never makes them float16). The target
//   EP's own float16 kernels still decide per recipe (src/core/types/ep-kernels.ts).
// - every formal is 'Single': the tables do not say which are optional, and the planner only groups the
//   positions a node actually has.
import type { KernelRow } from './gen-ep-kernels';

export interface RawFormal { name: string; type_str: string; option: 'Single' | 'Optional' | 'Variadic' }
export interface RawSchema {
  domain: string;
  name: string;
  since_version: number;
  deprecated: boolean;
  inputs: RawFormal[];
  outputs: RawFormal[];
  type_constraints: { param: string; allowed: string[] }[];
}

/** "**T** = tensor(float), tensor(float16)<br/> **U** = ..." -> { T: [...], U: [...] }. */
function typesOf(cell: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of cell.split('<br/>')) {
    const m = /^\s*\*\*([^*]+)\*\*\s*=\s*(.*)$/.exec(part);
    if (m) out.set(m[1], m[2].split(',').map((t) => t.trim()).filter(Boolean));
  }
  return out;
}

/** "*in* X:**T**<br> *out* Y:**T**" -> inputs and outputs; undefined when the cell lists none. */
function formalsOf(alternative: string): { inputs: RawFormal[]; outputs: RawFormal[] } | undefined {
  const inputs: RawFormal[] = [];
  const outputs: RawFormal[] = [];
  for (const part of alternative.split('<br>')) {
    const m = /^\s*\*(in|out)\*\s+([^:]+):\*\*([^*]+)\*\*\s*$/.exec(part);
    if (!m) continue;
    (m[1] === 'in' ? inputs : outputs).push({ name: m[2].trim(), type_str: m[3], option: 'Single' });
  }
  return inputs.length || outputs.length ? { inputs, outputs } : undefined;
}

function pickAlternative(parameters: string, params: Set<string>): { inputs: RawFormal[]; outputs: RawFormal[] } | undefined {
  const alternatives = parameters.split('<br><br>or<br><br>').map(formalsOf).filter((a) => a !== undefined);
  const uses = (a: { inputs: RawFormal[]; outputs: RawFormal[] }) => new Set([...a.inputs, ...a.outputs].map((f) => f.type_str));
  return alternatives.find((a) => [...uses(a)].every((p) => params.has(p)) && [...params].every((p) => uses(a).has(p))) ?? alternatives[0];
}

/**
 * Schemas for onnxruntime's ai.onnx registrations that onnx lacks at their opset. `onnxFirstVersion`: the
 * first since_version of each ai.onnx op in onnx's own schemas.
 */
export function ortOnnxDomainSchemas(rows: readonly KernelRow[], onnxFirstVersion: ReadonlyMap<string, number>): RawSchema[] {
  const byKey = new Map<string, KernelRow[]>();
  for (const r of rows) {
    if (r.domain !== '' || r.parameters === undefined || r.types === undefined) continue;
    const first = onnxFirstVersion.get(r.op);
    if (first !== undefined && r.start >= first) continue;
    const key = `${r.op}/${r.start}`;
    byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  const schemas: RawSchema[] = [];
  for (const list of byKey.values()) {
    const { op, start } = list[0];
    // Types: the intersection over the providers registering this range (see the header).
    let allowed: Map<string, string[]> | undefined;
    for (const r of list) {
      const types = typesOf(r.types!);
      if (!allowed) allowed = types;
      else {
        const next = new Map<string, string[]>();
        for (const [p, ts] of allowed) next.set(p, ts.filter((t) => types.get(p)?.includes(t)));
        allowed = next;
      }
    }
    const formals = list.map((r) => pickAlternative(r.parameters!, new Set(allowed!.keys()))).find(Boolean);
    if (!formals) continue; // a row with no Parameters cell (DML's GroupNorm 21+) cannot be typed
    const params = [...new Set([...formals.inputs, ...formals.outputs].map((f) => f.type_str))].sort();
    if (params.some((p) => !allowed!.get(p)?.length)) {
      throw new Error(`${op} ${start}: no type that every provider accepts for some parameter; look at the kernel table`);
    }
    schemas.push({
      domain: '',
      name: op,
      since_version: start,
      deprecated: false,
      inputs: formals.inputs,
      outputs: formals.outputs,
      type_constraints: params.map((p) => ({ param: p, allowed: [...allowed!.get(p)!].sort() })),
    });
  }
  return schemas.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.since_version - b.since_version));
}
