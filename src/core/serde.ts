// ONNX protobuf bytes <-> the plain message objects of onnx/proto-types.ts. The only module that knows
// protobufjs, and it uses only its reflection: onnx.proto, compiled to onnx-proto.json by
// scripts/gen-proto-json.ts, drives a small codec of our own. protobufjs's generated codecs were not enough:
// the engine needs plain objects holding only the fields present (structured-clone friendly, no prototype
// defaults), bytes fields as views into the input (a 1 GB model is never copied), unknown fields kept as
// enumerable raw bytes and written back at their field-number position, known fields with a wrong wire type
// rejected (random bytes fail fast instead of decoding into garbage), failures classified into CastawayError
// codes with byte offsets, and no code generated at runtime (safe under a strict CSP).
//
// Encoding writes fields in field-number order, proto2 repeated scalars unpacked unless [packed=true], and
// only the fields present: what protoc's C++ and Python runtimes write, so decode -> encode of an exporter's
// file gives the same bytes.
import Long from 'long';
import { Enum, Root, Type, type INamespace } from 'protobufjs/light.js';
import { CastawayError } from './errors';
import { visitTensors, checkTensorShape } from './external-data';
import schemaJson from './onnx/onnx-proto.json';
import {
  UNKNOWN_FIELDS,
  type AttributeProto,
  type FunctionProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type TypeProto,
  type ValueInfoProto,
} from './onnx/proto-types';

export { UNKNOWN_FIELDS };

/** protoc's default recursion limit: deeper nesting is refused rather than risk the stack. */
const MAX_DEPTH = 100;
/** Protobuf (and so ONNX) cannot address a message of 2 GiB or more; larger models need external data. */
const MAX_MESSAGE_BYTES = 0x7fffffff;

export interface ProtoMessages {
  ModelProto: ModelProto;
  GraphProto: GraphProto;
  NodeProto: NodeProto;
  TensorProto: TensorProto;
  AttributeProto: AttributeProto;
  ValueInfoProto: ValueInfoProto;
  TypeProto: TypeProto;
  FunctionProto: FunctionProto;
}
export type ProtoMessageName = keyof ProtoMessages;

/**
 * Decodes an ONNX model. Bytes fields (rawData, attribute strings, unknown fields) are views into `bytes`,
 * so keep it unmodified while the model is in use. Throws CastawayError: 'not-protobuf', 'truncated',
 * 'not-onnx', 'absurd-dims' (tensor dims or data sizes), 'unsupported' (nesting deeper than 100).
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const input = asPlainBytes(bytes);
  if (input.length === 0) {
    throw new CastawayError('not-onnx', 'The file is empty (0 bytes), so it holds no ONNX model', 'byte 0');
  }
  const codec = codecOf('ModelProto');
  let model: ModelProto;
  try {
    model = decodeInto(new Decoder(input), codec, input.length, 0, {}) as ModelProto;
  } catch (error) {
    if (error instanceof DecodeFailure) throw classifyModelFailure(error, input, codec);
    throw error;
  }
  if (!model.graph) {
    throw new CastawayError(
      'not-onnx',
      'The bytes are a valid protobuf message but not an ONNX model: there is no graph (ModelProto field 7); is the file truncated?',
    );
  }
  if (!model.opsetImport?.length) {
    throw new CastawayError(
      'not-onnx',
      'The bytes are a valid protobuf message but not an ONNX model: there is no opset_import (ModelProto field 8); is the file truncated?',
    );
  }
  visitTensors(model, (tensor, where) => checkTensorShape(tensor, where));
  return model;
}

/** Encodes a model, byte-identical to the input for a decoded, unchanged exporter file. */
export function encodeModel(model: ModelProto): Uint8Array {
  return encodeMessage('ModelProto', model);
}

/** Decodes one message of the ONNX schema (no ONNX-level checks). Errors as decodeModel's. */
export function decodeMessage<K extends ProtoMessageName>(type: K, bytes: Uint8Array): ProtoMessages[K] {
  const input = asPlainBytes(bytes);
  try {
    return decodeInto(new Decoder(input), codecOf(type), input.length, 0, {}) as ProtoMessages[K];
  } catch (error) {
    if (!(error instanceof DecodeFailure)) throw error;
    if (error.kind === 'too-deep') throw new CastawayError('unsupported', error.message, error.where());
    if (error.kind === 'overrun' && error.limit === input.length) {
      throw new CastawayError('truncated', `The ${type} is truncated: ${error.message}`, error.where());
    }
    throw new CastawayError('not-protobuf', `The bytes are not a valid ${type}: ${error.message}`, error.where());
  }
}

/**
 * Encodes one message of the ONNX schema: the fields present, in field-number order, unknown fields at their
 * number's place. int64 fields take a number, a Long or a structured-cloned Long ({ low, high }).
 */
export function encodeMessage<K extends ProtoMessageName>(type: K, message: ProtoMessages[K]): Uint8Array {
  const codec = codecOf(type);
  const encoder = new Encoder();
  const size = messageSize(encoder, codec, message as Msg, 0);
  if (size > MAX_MESSAGE_BYTES) {
    throw new CastawayError(
      'unsupported',
      `The ${type} would be ${size} bytes; protobuf cannot hold 2 GiB or more, so store large tensors as external data (writeExternalData)`,
    );
  }
  encoder.start(size);
  writeMessage(encoder, codec, message as Msg);
  return encoder.buf;
}

// ---------------------------------------------------------------------------------------------------------
// Schema: protobufjs reflection compiled into flat per-message tables.

type Msg = Record<string, unknown>;

const enum Kind {
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

const WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_LEN = 2, WIRE_START_GROUP = 3, WIRE_END_GROUP = 4, WIRE_FIXED32 = 5;

function wireOf(kind: Kind): number {
  if (kind <= Kind.Enum) return WIRE_VARINT;
  if (kind <= Kind.Float) return WIRE_FIXED32;
  if (kind <= Kind.Double) return WIRE_FIXED64;
  return WIRE_LEN;
}

interface FieldCodec {
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

interface MessageCodec {
  name: string;
  /** Sorted by field number: the encoding order. */
  fields: FieldCodec[];
  byId: (FieldCodec | undefined)[];
}

let codecs: Map<string, MessageCodec> | undefined;

function codecOf(name: ProtoMessageName): MessageCodec {
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
    const codec: MessageCodec = { name: type.name, fields: [], byId: [] };
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

// ---------------------------------------------------------------------------------------------------------
// Decoding.

class DecodeFailure extends Error {
  constructor(
    readonly kind: 'overrun' | 'malformed' | 'too-deep',
    /** Byte offset of the field (or value) that failed. */
    readonly offset: number,
    /** End of the enclosing message: the end of the input when a top-level length runs past it. */
    readonly limit: number,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }

  where(): string {
    return `byte ${this.offset}${this.path ? `, ${this.path}` : ''}`;
  }
}

function asPlainBytes(bytes: Uint8Array): Uint8Array {
  // A Node Buffer is a Uint8Array subclass; a plain view keeps decoded objects identical everywhere.
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

class Decoder {
  readonly view: DataView;
  pos = 0;
  /** The last varint read, as two unsigned 32-bit halves. */
  lo = 0;
  hi = 0;
  /** Message and field names down to the one being decoded, for error locations. */
  readonly path: string[] = [];

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(kind: DecodeFailure['kind'], offset: number, limit: number, message: string): never {
    throw new DecodeFailure(kind, offset, limit, message, this.path.join('.'));
  }

  varint(end: number): void {
    const buf = this.buf;
    const start = this.pos;
    let p = start;
    let lo = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= end) this.varintOverrun(start, end);
      b = buf[p++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p; this.lo = lo >>> 0; this.hi = 0;
        return;
      }
    }
    if (p >= end) this.varintOverrun(start, end);
    b = buf[p++];
    lo |= (b & 0x7f) << 28;
    let hi = (b & 0x7f) >>> 4;
    if (b < 0x80) {
      this.pos = p; this.lo = lo >>> 0; this.hi = hi;
      return;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (p >= end) this.varintOverrun(start, end);
      b = buf[p++];
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p; this.lo = lo >>> 0; this.hi = hi >>> 0;
        return;
      }
    }
    this.fail('malformed', start, end, 'a varint runs longer than 10 bytes');
  }

  private varintOverrun(start: number, end: number): never {
    return this.fail('overrun', start, end, `a varint at byte ${start} is cut off: ${this.limitName(end)}`);
  }

  limitName(end: number): string {
    return `${end === this.buf.length ? 'the input' : 'its enclosing message'} ends at byte ${end}`;
  }

  /** A length prefix, checked against the enclosing message's end. Leaves pos at the payload. */
  length(fieldStart: number, end: number, what: string): number {
    this.varint(end);
    const length = this.hi * 0x100000000 + this.lo;
    if (length > end - this.pos) {
      this.fail(
        'overrun', fieldStart, end,
        `${what} at byte ${fieldStart} needs ${length} bytes, up to byte ${this.pos + length}, but ${this.limitName(end)}`,
      );
    }
    return length;
  }

  fixed(fieldStart: number, width: number, end: number, what: string): number {
    const p = this.pos;
    if (width > end - p) this.fail('overrun', fieldStart, end, `${what} at byte ${fieldStart} needs ${width} bytes, but ${this.limitName(end)}`);
    this.pos = p + width;
    return p;
  }

  string(length: number): string {
    const buf = this.buf;
    const start = this.pos;
    const end = start + length;
    this.pos = end;
    const bytes = buf.subarray(start, end);
    if (length > 64) return utf8Slow(bytes); // TextDecoder's per-call cost only pays off on long strings
    for (let i = start; i < end; i++) if (buf[i] >= 0x80) return utf8Slow(bytes);
    return String.fromCharCode.apply(null, bytes as unknown as number[]);
  }

  /** Skips a field this schema does not know (groups included, though ONNX has none). */
  skip(wire: number, id: number, fieldStart: number, end: number, depth: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(end); return;
      case WIRE_FIXED64: this.fixed(fieldStart, 8, end, `unknown field ${id}`); return;
      case WIRE_FIXED32: this.fixed(fieldStart, 4, end, `unknown field ${id}`); return;
      case WIRE_LEN: {
        const length = this.length(fieldStart, end, `unknown field ${id}`); // moves pos past the prefix
        this.pos += length;
        return;
      }
      case WIRE_START_GROUP:
        if (depth >= MAX_DEPTH) this.fail('too-deep', fieldStart, end, `groups nested more than ${MAX_DEPTH} deep`);
        for (;;) {
          if (this.pos >= end) this.fail('overrun', fieldStart, end, `group ${id} at byte ${fieldStart} has no end`);
          const start = this.pos;
          this.varint(end);
          const tag = this.lo;
          if (this.hi !== 0 || tag >>> 3 === 0) this.fail('malformed', start, end, `invalid tag at byte ${start}`);
          if ((tag & 7) === WIRE_END_GROUP) {
            if (tag >>> 3 !== id) this.fail('malformed', start, end, `group ${id} closed by end-group ${tag >>> 3}`);
            return;
          }
          this.skip(tag & 7, tag >>> 3, start, end, depth + 1);
        }
      case WIRE_END_GROUP:
        return this.fail('malformed', fieldStart, end, `unexpected end-group tag for field ${id} at byte ${fieldStart}`);
      default:
        return this.fail('malformed', fieldStart, end, `invalid wire type ${wire} (field ${id}) at byte ${fieldStart}`);
    }
  }
}

function utf8Slow(bytes: Uint8Array): string {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    return lossyUtf8.decode(bytes); // invalid UTF-8 (protoc's proto2 allows it) cannot round-trip exactly
  }
}

function decodeInto(d: Decoder, codec: MessageCodec, end: number, depth: number, msg: Msg): Msg {
  if (depth > MAX_DEPTH) d.fail('too-deep', d.pos, end, `messages nested more than ${MAX_DEPTH} deep`);
  const byId = codec.byId;
  while (d.pos < end) {
    const start = d.pos;
    d.varint(end);
    const tag = d.lo;
    const id = tag >>> 3;
    const wire = tag & 7;
    if (d.hi !== 0 || id === 0) d.fail('malformed', start, end, `invalid tag (field number 0 or beyond 2^29) at byte ${start} in ${codec.name}`);
    const field = id < byId.length ? byId[id] : undefined;
    if (field === undefined) {
      d.skip(wire, id, start, end, depth);
      const unknown = (msg[UNKNOWN_FIELDS] ??= []) as Uint8Array[];
      unknown.push(d.buf.subarray(start, d.pos));
      continue;
    }
    if (wire === field.wire) {
      const value = readValue(d, field, start, end, depth, msg);
      if (field.repeated) {
        const list = msg[field.name] as unknown[] | undefined;
        if (list) list.push(value);
        else msg[field.name] = [value];
      } else {
        msg[field.name] = value;
        if (field.oneofSiblings) for (const sibling of field.oneofSiblings) delete msg[sibling];
      }
    } else if (wire === WIRE_LEN && field.packable) {
      const length = d.length(start, end, `${codec.name}.${field.name}`);
      let list = msg[field.name] as unknown[] | undefined;
      if (!list) msg[field.name] = list = [];
      readPacked(d, field, start, d.pos + length, list);
    } else {
      d.fail('malformed', start, end, `${codec.name}.${field.name} (field ${id}) has wire type ${wire} at byte ${start}, expected ${field.wire}`);
    }
  }
  return msg;
}

function readValue(d: Decoder, field: FieldCodec, start: number, end: number, depth: number, msg: Msg): unknown {
  switch (field.kind) {
    case Kind.Message: {
      const length = d.length(start, end, `${field.message!.name} ${field.name}`);
      const target = field.repeated ? {} : ((msg[field.name] as Msg | undefined) ?? {}); // a repeated singular message merges
      d.path.push(field.name);
      decodeInto(d, field.message!, d.pos + length, depth + 1, target);
      d.path.pop();
      return target;
    }
    case Kind.String:
      return d.string(d.length(start, end, `string ${field.name}`));
    case Kind.Bytes: {
      const length = d.length(start, end, `bytes ${field.name}`);
      const p = d.pos;
      d.pos = p + length;
      return d.buf.subarray(p, p + length);
    }
    case Kind.Float: return d.view.getFloat32(d.fixed(start, 4, end, field.name), true);
    case Kind.Double: return d.view.getFloat64(d.fixed(start, 8, end, field.name), true);
    case Kind.Fixed32: return d.view.getUint32(d.fixed(start, 4, end, field.name), true);
    case Kind.SFixed32: return d.view.getInt32(d.fixed(start, 4, end, field.name), true);
    case Kind.Fixed64:
    case Kind.SFixed64: {
      const p = d.fixed(start, 8, end, field.name);
      return Long.fromBits(d.view.getInt32(p, true), d.view.getInt32(p + 4, true), field.kind === Kind.Fixed64);
    }
    default:
      d.varint(end);
      return varintValue(field.kind, d.lo, d.hi);
  }
}

function varintValue(kind: Kind, lo: number, hi: number): unknown {
  switch (kind) {
    case Kind.Int64: return Long.fromBits(lo | 0, hi | 0, false);
    case Kind.UInt64: return Long.fromBits(lo | 0, hi | 0, true);
    case Kind.SInt64: {
      const mask = -(lo & 1);
      return Long.fromBits(((lo >>> 1) | (hi << 31)) ^ mask, (hi >>> 1) ^ mask, false);
    }
    case Kind.UInt32: return lo;
    case Kind.SInt32: return (lo >>> 1) ^ -(lo & 1);
    case Kind.Bool: return (lo | hi) !== 0;
    default: return lo | 0; // int32 and enum: the low 32 bits of a sign-extended varint
  }
}

function readPacked(d: Decoder, field: FieldCodec, start: number, end: number, list: unknown[]): void {
  const view = d.view;
  const width = field.wire === WIRE_FIXED32 ? 4 : field.wire === WIRE_FIXED64 ? 8 : 0;
  if (width) {
    if ((end - d.pos) % width) d.fail('malformed', start, end, `packed ${field.name} at byte ${start} is not a whole number of ${width}-byte values`);
    for (let p = d.pos; p < end; p += width) {
      switch (field.kind) {
        case Kind.Float: list.push(view.getFloat32(p, true)); break;
        case Kind.Double: list.push(view.getFloat64(p, true)); break;
        case Kind.Fixed32: list.push(view.getUint32(p, true)); break;
        case Kind.SFixed32: list.push(view.getInt32(p, true)); break;
        default: list.push(Long.fromBits(view.getInt32(p, true), view.getInt32(p + 4, true), field.kind === Kind.Fixed64));
      }
    }
    d.pos = end;
    return;
  }
  while (d.pos < end) {
    d.varint(end);
    list.push(varintValue(field.kind, d.lo, d.hi));
  }
}

/**
 * Names the failure for a user: a plausible ONNX file that runs past the end of the input is truncated; one
 * that breaks later is corrupt; bytes that do not even start like a ModelProto are 'not-onnx' when they
 * still parse as some protobuf message and 'not-protobuf' otherwise.
 */
function classifyModelFailure(failure: DecodeFailure, bytes: Uint8Array, codec: MessageCodec): CastawayError {
  if (failure.kind === 'too-deep') return new CastawayError('unsupported', `The model nests ${failure.message}`, failure.where());
  if (startsLikeMessage(bytes, codec)) {
    if (failure.kind === 'overrun' && failure.limit === bytes.length) {
      return new CastawayError(
        'truncated',
        `The file is truncated: ${failure.message}`,
        failure.where(),
      );
    }
    return new CastawayError('not-protobuf', `The file is a corrupt ONNX protobuf: ${failure.message}`, failure.where());
  }
  if (isWellFormedMessage(bytes)) {
    return new CastawayError(
      'not-onnx',
      `The bytes are a valid protobuf message but not an ONNX model (${failure.message})`,
      failure.where(),
    );
  }
  return new CastawayError('not-protobuf', `The bytes are not a protobuf message (${failure.message})`, failure.where());
}

/** Whether the first field is one of the message's own with the right wire type (exporters write ir_version first). */
function startsLikeMessage(bytes: Uint8Array, codec: MessageCodec): boolean {
  const d = new Decoder(bytes);
  try {
    d.varint(bytes.length);
  } catch {
    return false;
  }
  const field = d.hi === 0 ? codec.byId[d.lo >>> 3] : undefined;
  return field !== undefined && ((d.lo & 7) === field.wire || ((d.lo & 7) === WIRE_LEN && field.packable));
}

/** Whether the bytes are a sequence of well-formed top-level fields, of any schema. */
function isWellFormedMessage(bytes: Uint8Array): boolean {
  const d = new Decoder(bytes);
  try {
    while (d.pos < bytes.length) {
      const start = d.pos;
      d.varint(bytes.length);
      if (d.hi !== 0 || d.lo >>> 3 === 0) return false;
      d.skip(d.lo & 7, d.lo >>> 3, start, bytes.length, 0);
    }
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Encoding: one pass sizes every message (cached per object), one writes into a single buffer.

class Encoder {
  readonly sizes = new Map<object, number>();
  readonly packedSizes = new Map<unknown[], number>();
  buf = new Uint8Array(0);
  view = new DataView(this.buf.buffer);
  pos = 0;
  /** The last int64 converted, as two unsigned 32-bit halves. */
  lo = 0;
  hi = 0;

  start(size: number): void {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  varint32(value: number): void {
    const buf = this.buf;
    let p = this.pos;
    while (value > 0x7f) {
      buf[p++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[p++] = value;
    this.pos = p;
  }

  varint64(lo: number, hi: number): void {
    const buf = this.buf;
    let p = this.pos;
    while (hi !== 0) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  /** Splits an int64 value into this.lo / this.hi (two's complement). */
  int64(value: unknown, field: FieldCodec): void {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new TypeError(`${field.name}: ${value} is not an integer`);
      if (value >= 0 && value <= 0xffffffff) {
        this.lo = value;
        this.hi = 0;
        return;
      }
      const long = Long.fromNumber(value, field.kind === Kind.UInt64 || field.kind === Kind.Fixed64);
      this.lo = long.low >>> 0;
      this.hi = long.high >>> 0;
      return;
    }
    if (typeof value === 'bigint') {
      const bits = BigInt.asUintN(64, value);
      this.lo = Number(bits & 0xffffffffn);
      this.hi = Number(bits >> 32n);
      return;
    }
    if (value !== null && typeof value === 'object' && typeof (value as Long).low === 'number' && typeof (value as Long).high === 'number') {
      // A Long, or one that lost its prototype crossing a worker boundary.
      this.lo = (value as Long).low >>> 0;
      this.hi = (value as Long).high >>> 0;
      return;
    }
    if (typeof value === 'string' && /^-?\d+$/.test(value)) {
      const long = Long.fromString(value, field.kind === Kind.UInt64 || field.kind === Kind.Fixed64);
      this.lo = long.low >>> 0;
      this.hi = long.high >>> 0;
      return;
    }
    throw new TypeError(`${field.name}: ${String(value)} is not an int64`);
  }

  /** int64 and sint64 of a value, after this.int64(): zigzag for sint64. */
  zigzag64(): void {
    const mask = this.hi >> 31;
    const hi = (((this.hi << 1) | (this.lo >>> 31)) ^ mask) >>> 0;
    this.lo = ((this.lo << 1) ^ mask) >>> 0;
    this.hi = hi;
  }

  utf8(value: string): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < value.length; i++) {
      let c = value.charCodeAt(i);
      if (c < 0x80) {
        buf[p++] = c;
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 0x3f);
      } else {
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
          const next = value.charCodeAt(i + 1);
          if (next >= 0xdc00 && next <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            buf[p++] = 0xf0 | (c >> 18);
            buf[p++] = 0x80 | ((c >> 12) & 0x3f);
            buf[p++] = 0x80 | ((c >> 6) & 0x3f);
            buf[p++] = 0x80 | (c & 0x3f);
            continue;
          }
        }
        if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder writes it
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 0x3f);
        buf[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
  }
}

function utf8Length(value: string): number {
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

function varint32Size(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  return hi < 0x8 ? 5 : hi < 0x400 ? 6 : hi < 0x20000 ? 7 : hi < 0x1000000 ? 8 : hi < 0x80000000 ? 9 : 10;
}

function messageSize(e: Encoder, codec: MessageCodec, msg: Msg, depth: number): number {
  const cached = e.sizes.get(msg);
  if (cached !== undefined) return cached;
  if (depth > MAX_DEPTH) {
    throw new CastawayError('unsupported', `${codec.name} is nested more than ${MAX_DEPTH} deep (or contains itself)`);
  }
  if (msg === null || typeof msg !== 'object') throw new TypeError(`${codec.name}: expected a message object, got ${String(msg)}`);
  let size = 0;
  for (const field of codec.fields) {
    const value = msg[field.name];
    if (value === undefined || value === null) continue;
    if (!field.repeated) {
      size += field.tagSize + valueSize(e, field, value, depth);
      continue;
    }
    if (!Array.isArray(value)) throw new TypeError(`${codec.name}.${field.name} must be an array`);
    if (value.length === 0) continue;
    if (field.packed) {
      let payload = 0;
      if (field.wire === WIRE_FIXED32) payload = value.length * 4;
      else if (field.wire === WIRE_FIXED64) payload = value.length * 8;
      else for (const item of value) payload += scalarVarintSize(e, field, item);
      e.packedSizes.set(value, payload);
      size += field.tagSize + varint32Size(payload) + payload;
    } else {
      for (const item of value) size += field.tagSize + valueSize(e, field, item, depth);
    }
  }
  const unknown = msg[UNKNOWN_FIELDS] as Uint8Array[] | undefined;
  if (unknown) for (const chunk of unknown) size += chunk.length;
  e.sizes.set(msg, size);
  return size;
}

function valueSize(e: Encoder, field: FieldCodec, value: unknown, depth: number): number {
  switch (field.kind) {
    case Kind.Message: {
      const size = messageSize(e, field.message!, value as Msg, depth + 1);
      return varint32Size(size) + size;
    }
    case Kind.String: {
      if (typeof value !== 'string') throw new TypeError(`${field.name} must be a string`);
      const size = utf8Length(value);
      return varint32Size(size) + size;
    }
    case Kind.Bytes: {
      if (!(value instanceof Uint8Array)) throw new TypeError(`${field.name} must be a Uint8Array`);
      return varint32Size(value.length) + value.length;
    }
    case Kind.Float: case Kind.Fixed32: case Kind.SFixed32: return 4;
    case Kind.Double: case Kind.Fixed64: case Kind.SFixed64: return 8;
    default: return scalarVarintSize(e, field, value);
  }
}

function scalarVarintSize(e: Encoder, field: FieldCodec, value: unknown): number {
  switch (field.kind) {
    case Kind.Int64: case Kind.UInt64:
      e.int64(value, field);
      return varint64Size(e.lo, e.hi);
    case Kind.SInt64:
      e.int64(value, field);
      e.zigzag64();
      return varint64Size(e.lo, e.hi);
    case Kind.Bool: return 1;
    case Kind.UInt32: return varint32Size(Number(value) >>> 0);
    case Kind.SInt32: {
      const v = Number(value) | 0;
      return varint32Size(((v << 1) ^ (v >> 31)) >>> 0);
    }
    default: { // int32 and enum: negatives are sign-extended to 10 bytes
      const v = Number(value) | 0;
      return v < 0 ? 10 : varint32Size(v);
    }
  }
}

function writeMessage(e: Encoder, codec: MessageCodec, msg: Msg): void {
  const unknown = sortedUnknownFields(msg[UNKNOWN_FIELDS] as Uint8Array[] | undefined);
  let nextUnknown = 0;
  for (const field of codec.fields) {
    const value = msg[field.name];
    if (value === undefined || value === null) continue;
    while (nextUnknown < unknown.length && unknown[nextUnknown].id < field.id) writeRaw(e, unknown[nextUnknown++].bytes);
    if (!field.repeated) {
      e.varint32(field.tag);
      writeValue(e, field, value);
      continue;
    }
    const list = value as unknown[];
    if (list.length === 0) continue;
    if (field.packed) {
      e.varint32(field.tag);
      e.varint32(e.packedSizes.get(list)!);
      for (const item of list) writeScalar(e, field, item);
    } else {
      for (const item of list) {
        e.varint32(field.tag);
        writeValue(e, field, item);
      }
    }
  }
  while (nextUnknown < unknown.length) writeRaw(e, unknown[nextUnknown++].bytes);
}

function sortedUnknownFields(chunks: Uint8Array[] | undefined): { id: number; bytes: Uint8Array }[] {
  if (!chunks || chunks.length === 0) return [];
  const out = chunks.map((bytes) => {
    let tag = 0;
    for (let i = 0, shift = 0; i < Math.min(bytes.length, 5); i++, shift += 7) {
      tag += (bytes[i] & 0x7f) * 2 ** shift;
      if (bytes[i] < 0x80) break;
    }
    return { id: Math.floor(tag / 8), bytes };
  });
  return out.sort((a, b) => a.id - b.id); // stable: same-number fields keep their order
}

function writeRaw(e: Encoder, bytes: Uint8Array): void {
  e.buf.set(bytes, e.pos);
  e.pos += bytes.length;
}

function writeValue(e: Encoder, field: FieldCodec, value: unknown): void {
  switch (field.kind) {
    case Kind.Message: {
      e.varint32(e.sizes.get(value as object)!);
      writeMessage(e, field.message!, value as Msg);
      return;
    }
    case Kind.String: {
      const text = value as string;
      e.varint32(utf8Length(text));
      e.utf8(text);
      return;
    }
    case Kind.Bytes: {
      const bytes = value as Uint8Array;
      e.varint32(bytes.length);
      writeRaw(e, bytes);
      return;
    }
    default:
      writeScalar(e, field, value);
  }
}

function writeScalar(e: Encoder, field: FieldCodec, value: unknown): void {
  switch (field.kind) {
    case Kind.Float: e.view.setFloat32(e.pos, value as number, true); e.pos += 4; return;
    case Kind.Double: e.view.setFloat64(e.pos, value as number, true); e.pos += 8; return;
    case Kind.Fixed32: e.view.setUint32(e.pos, Number(value) >>> 0, true); e.pos += 4; return;
    case Kind.SFixed32: e.view.setInt32(e.pos, Number(value) | 0, true); e.pos += 4; return;
    case Kind.Fixed64: case Kind.SFixed64:
      e.int64(value, field);
      e.view.setUint32(e.pos, e.lo, true);
      e.view.setUint32(e.pos + 4, e.hi, true);
      e.pos += 8;
      return;
    case Kind.Int64: case Kind.UInt64:
      e.int64(value, field);
      e.varint64(e.lo, e.hi);
      return;
    case Kind.SInt64:
      e.int64(value, field);
      e.zigzag64();
      e.varint64(e.lo, e.hi);
      return;
    case Kind.Bool: e.varint32(value ? 1 : 0); return;
    case Kind.UInt32: e.varint32(Number(value) >>> 0); return;
    case Kind.SInt32: {
      const v = Number(value) | 0;
      e.varint32(((v << 1) ^ (v >> 31)) >>> 0);
      return;
    }
    default: {
      const v = Number(value) | 0;
      if (v < 0) e.varint64(v >>> 0, 0xffffffff);
      else e.varint32(v);
    }
  }
}
