// Op schemas from the generated table: which inputs and outputs of a node share one type parameter, and
// which element types each may take. This is what decides the slot groups that must share one precision.
import type { NodeProto } from '../onnx/proto-types';
import { SCHEMA_TABLE_JSON } from './schema-table.generated';
import { normalizeDomain } from '../onnx/domain';
import { LOW_FORMATS, type LowPrecision } from '../tensor/low-precision';

export type FormalOption = 'single' | 'optional' | 'variadic';

export interface FormalParam {
  name: string;
  /** The type parameter ('T', 'T1', ...), or undefined when the spec fixes the type (see fixedType). */
  typeParam?: string;
  /** Type code (type-codes.ts) of a slot whose type the spec fixes, e.g. Resize `scales`: tensor(float). */
  fixedType?: number;
  option: FormalOption;
  /** For variadics: whether all positions share one type (Concat) or each has its own (Loop, If, Scan). */
  homogeneous: boolean;
}

export interface OpSchema {
  /** '' for the default ONNX domain. */
  domain: string;
  opType: string;
  sinceVersion: number;
  deprecated: boolean;
  inputs: readonly FormalParam[];
  outputs: readonly FormalParam[];
  /** Allowed type codes per type parameter. */
  typeConstraints: ReadonlyMap<string, readonly number[]>;
}

type RawVersion = [number, string[], string[], Record<string, number>, 1?];
interface RawTable {
  lists: number[][];
  ops: Record<string, Record<string, RawVersion[]>>;
}

let table: RawTable | undefined;
const decoded = new Map<RawVersion, OpSchema>();

function rawTable(): RawTable {
  // Parsed on first use: JSON.parse of one string is far cheaper than an equivalent object literal.
  return (table ??= JSON.parse(SCHEMA_TABLE_JSON) as RawTable);
}


/** Whether the schema table knows the domain at all (ONNX's own, com.microsoft, ...). */
export function isSchemaDomain(domain: string | undefined): boolean {
  return Object.prototype.hasOwnProperty.call(rawTable().ops, normalizeDomain(domain));
}

/**
 * The schema in force for a model importing `opsetVersion` of the op's domain: the version with the largest
 * since_version <= opsetVersion. Undefined for an op the table does not know (or not yet at that opset);
 * for ONNX's domains the caller reports 'unknown-op', custom domains are opaque.
 */
export function lookupSchema(domain: string, opType: string, opsetVersion: number): OpSchema | undefined {
  const versions = rawTable().ops[normalizeDomain(domain)]?.[opType];
  if (!versions) return undefined;
  let chosen: RawVersion | undefined;
  for (const v of versions) {
    if (v[0] <= opsetVersion) chosen = v;
    else break;
  }
  if (!chosen) return undefined;
  let schema = decoded.get(chosen);
  if (!schema) {
    schema = decode(normalizeDomain(domain), opType, chosen);
    decoded.set(chosen, schema);
  }
  return schema;
}

function decode(domain: string, opType: string, [since, ins, outs, constraints, deprecated]: RawVersion): OpSchema {
  const lists = rawTable().lists;
  const typeConstraints = new Map<string, readonly number[]>();
  for (const [param, index] of Object.entries(constraints)) typeConstraints.set(param, lists[index]);
  return {
    domain,
    opType,
    sinceVersion: since,
    deprecated: deprecated === 1,
    inputs: ins.map(decodeFormal),
    outputs: outs.map(decodeFormal),
    typeConstraints,
  };
}

function decodeFormal(text: string): FormalParam {
  const colon = text.lastIndexOf(':');
  const name = text.slice(0, colon);
  let ref = text.slice(colon + 1);
  const last = ref[ref.length - 1];
  let option: FormalOption = 'single';
  let homogeneous = true;
  if (last === '?' || last === '*' || last === '~') {
    ref = ref.slice(0, -1);
    option = last === '?' ? 'optional' : 'variadic';
    homogeneous = last !== '~';
  }
  return ref.startsWith('#')
    ? { name, fixedType: Number(ref.slice(1)), option, homogeneous }
    : { name, typeParam: ref, option, homogeneous };
}

/** Inputs or outputs of one node that must have one element type, and the types that are allowed. */
export interface SlotGroup {
  /** Shared type parameter; undefined for a single slot whose type the spec fixes. */
  typeParam?: string;
  /** Input positions of the node (absent optional inputs, '' names, are left out). */
  inputs: number[];
  /** Output positions of the node (absent outputs left out). */
  outputs: number[];
  /** Allowed type codes (positive: tensor element types; negative: sequences, optionals, maps). */
  allowed: readonly number[];
}

/** The formal parameter that a concrete position maps to; variadics (always last) absorb the rest. */
export function formalAt(formals: readonly FormalParam[], position: number): FormalParam | undefined {
  if (position < formals.length) return formals[position];
  const last = formals[formals.length - 1];
  return last?.option === 'variadic' ? last : undefined;
}

/**
 * Slot groups of a concrete node: the present input/output positions grouped by shared type parameter
 * (variadics expanded; a heterogeneous variadic such as Loop's gives one group per position), plus one
 * group per slot whose type the spec fixes. Groups come in order of first appearance, inputs before outputs.
 */
export function slotGroups(node: NodeProto, schema: OpSchema): SlotGroup[] {
  const groups: SlotGroup[] = [];
  const byParam = new Map<string, SlotGroup>();
  const place = (formals: readonly FormalParam[], names: readonly string[], side: 'inputs' | 'outputs') => {
    names.forEach((name, position) => {
      if (!name) return;
      const formal = formalAt(formals, position);
      if (!formal) return;
      if (formal.typeParam === undefined) {
        const group: SlotGroup = { inputs: [], outputs: [], allowed: [formal.fixedType ?? 0] };
        group[side].push(position);
        groups.push(group);
        return;
      }
      const key = formal.homogeneous ? formal.typeParam : `${formal.typeParam}@${side}${position}`;
      let group = byParam.get(key);
      if (!group) {
        group = { typeParam: formal.typeParam, inputs: [], outputs: [], allowed: schema.typeConstraints.get(formal.typeParam) ?? [] };
        byParam.set(key, group);
        groups.push(group);
      }
      group[side].push(position);
    });
  };
  place(schema.inputs, node.input ?? [], 'inputs');
  place(schema.outputs, node.output ?? [], 'outputs');
  return groups;
}

/** Whether the group may run in float16 at all (LayerNormalization's Mean/InvStdDev and Resize's scales may not). */
export function groupAllowsFloat16(group: SlotGroup): boolean {
  return groupAllowsLow(group, 'fp16');
}

/** Whether the group may run in the given low type (bfloat16 is in far fewer constraints, and only from opset 13). */
export function groupAllowsLow(group: SlotGroup, low: LowPrecision): boolean {
  return group.allowed.includes(LOW_FORMATS[low].elemType);
}
