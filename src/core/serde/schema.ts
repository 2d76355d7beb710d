// The serde's schema: protobufjs reflection (onnx.proto compiled to onnx-proto.json) turned into flat
// per-message tables that the decoder and the encoder walk. The only place protobufjs is imported.
import { Enum, Root, Type, type INamespace } from 'protobufjs/light.js';
import schemaJson from '../onnx/onnx-proto.json';
import type { ProtoMessageName } from './index';

/** protoc's default recursion limit: deeper nesting is refused rather than risk the stack. */
export const MAX_DEPTH = 100;

// ---------------------------------------------------------------------------------------------------------
// Schema: protobufjs reflection compiled into flat per-message tables.

export type Msg = Record<string, unknown>;

export const enum Kind {
  Int32, Int64, UInt32, UInt64, SInt32, SInt64, Bool, Enum,
  Fixed32, SFixed32, Float,
  Fixed64, SFixed64, Double,
  String, Bytes, Message,
}

const KIND_BY_TYPE: Record<string, Kind> = {
  int32: Kind.Int32, int64: Kind.Int64, uint32: Kind.UInt32, uint64: Kind.UInt64, sint32: Kind.SInt32,
  sint64: Kind.SInt64, bool: Kind.Bool, fixed32: Kind.Fixed32, sfixed32: Kind.SFixed32, float: Kind.Float,
  fixed64: Kind.Fixed64, sfixed64: Kind.SFixed64, double: Kind.Double, string: Kind.String, bytes: Kind.Bytes,
};

export const WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_START_GROUP = 3, WIRE_END_GROUP = 4, WIRE_FIXED32 = 5;

export function wireOf(kind: Kind): number {
  if (kind <= Kind.Enum) return WIRE_VARINT;
  if (kind <= Kind.Float) return WIRE_FIXED32;
  if (kind <= Kind.Double) return WIRE_FIXED64;
  return WIRE_LEN;
}

export interface FieldCodec {
  id: number;
  name: string;
  kind: Kind;
  /** Wire type of one value (a packed run is WIRE_LEN). */
  wire: number;
  repeated: boolean;
  /** Written packed (proto2: only with [packed=true]). */
  packed: boolean;
  /** A repeated scalar: accepted packed or not, whatever the schema says, as protoc does. */
  packable: boolean;
  /** Encoded tag of one value, and its size. */
  tag: number;
  tagSize: number;
  message: MessageCodec | undefined;
  /** The other members of this field's oneof: setting one clears them. */
  oneofSiblings: string[] | undefined;
}

export interface MessageCodec {
  name: string;
  /** Sorted by field number: the encoding order. */
  fields: FieldCodec[];
  byId: (FieldCodec | undefined)[];
  /**
   * By field name (the message objects' property names): the encoder looks up only the fields present. A
   * prototype-less plain object, not a Map: a keyed load with the names for-in yields was ~4x a Map.get.
   */
  byName: Record<string, FieldCodec | undefined>;
  /** Decoded messages of this type remember their source bytes for the encoder to copy (verbatim.ts). */
  keepsSource: boolean;
}

let codecs: Map<string, MessageCodec> | undefined;

export function codecOf(name: ProtoMessageName): MessageCodec {
  if (!codecs) codecs = compileSchema();
  const codec = codecs.get(`onnx.${name}`);
  if (!codec) throw new Error(`onnx-proto.json has no message onnx.${name}`);
  return codec;
}

function compileSchema(): Map<string, MessageCodec> {
  const root = Root.fromJSON(schemaJson as unknown as INamespace);
  root.resolveAll();
  const byType = new Map<Type, MessageCodec>();
  const out = new Map<string, MessageCodec>();
  const compile = (type: Type): MessageCodec => {
    const known = byType.get(type);
    if (known) return known;
    const codec: MessageCodec = { name: type.name, fields: [], byId: [], byName: fieldTable(), keepsSource: type.name === 'NodeProto' };
    byType.set(type, codec); // before the fields: message types refer to each other
    for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
      if (field.map) throw new Error(`map field ${type.name}.${field.name} is not supported`);
      const resolved = field.resolvedType;
      let kind: Kind;
      if (resolved instanceof Type) kind = Kind.Message;
      else if (resolved instanceof Enum) kind = Kind.Enum;
      else if (KIND_BY_TYPE[field.type] !== undefined) kind = KIND_BY_TYPE[field.type];
      else throw new Error(`field ${type.name}.${field.name} has unsupported type ${field.type}`);
      if (kind === Kind.Message && field.delimited) throw new Error(`group field ${type.name}.${field.name} is not supported`);
      const wire = wireOf(kind);
      const repeated = field.repeated;
      const packable = repeated && wire !== WIRE_LEN;
      const packed = packable && field.packed;
      const tag = ((field.id << 3) | (packed ? WIRE_LEN : wire)) >>> 0;
      const fieldCodec: FieldCodec = {
        id: field.id, name: field.name, kind, wire, repeated, packed, packable, tag, tagSize: varint32Size(tag),
        message: undefined,
        oneofSiblings: field.partOf ? field.partOf.oneof.filter((n) => n !== field.name) : undefined,
      };
      codec.fields.push(fieldCodec);
      codec.byId[field.id] = fieldCodec;
      codec.byName[field.name] = fieldCodec;
      if (resolved instanceof Type) fieldCodec.message = compile(resolved);
    }
    return codec;
  };
  const walk = (ns: { nestedArray: unknown[] }): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof Type) out.set(nested.fullName.replace(/^\./, ''), compile(nested));
      if (nested && typeof nested === 'object' && 'nestedArray' in nested) walk(nested as { nestedArray: unknown[] });
    }
  };
  walk(root);
  return out;
}

/** An object with no prototype (no inherited toString or constructor to mistake for a field), in fast mode. */
function fieldTable(): Record<string, FieldCodec | undefined> {
  const table = {} as Record<string, FieldCodec | undefined>;
  Object.setPrototypeOf(table, null);
  return table;
}

export function varint32Size(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}
