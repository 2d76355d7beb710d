// The serde's encoder: plain message objects to protobuf bytes, fields in field-number order.
import Long from 'long';
import { CastawayError } from '../errors';
import { UNKNOWN_FIELDS } from '../onnx/proto-types';
import { copySource, sourceLength } from './verbatim';
import { Kind, MAX_DEPTH, varint32Size, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, wireOf, type FieldCodec, type MessageCodec, type Msg } from './schema';

// ---------------------------------------------------------------------------------------------------------
// Encoding: one pass sizes every message, one writes into a single buffer (or, for large byte fields, a
// list of pieces that refer to those fields instead of copying them).

export class Encoder {
  /**
   * Message sizes and packed-field payload sizes in the order the writer needs them (a message's own size,
   * then its fields' in field order, depth first): an array and a cursor instead of a Map keyed by object,
   * which cost ~0.1 s of hashing and GC on a 44k-node model with its value_info. A message object that
   * appears twice is sized twice, to the same result.
   */
  readonly sizes: number[] = [];
  next = 0;
  /** Bytes fields at least this long are not copied but become pieces of their own (see encodePieces). */
  pieceMin = Infinity;
  /** Total length of those fields, found by the sizing pass. */
  pieceBytes = 0;
  readonly pieces: Uint8Array[] = [];
  pieceStart = 0;
  buf = new Uint8Array(0);
  view = new DataView(this.buf.buffer);
  pos = 0;
  /**
   * Per nesting depth, the fields a message has and their values (presentFields), reused: a message is
   * finished before a deeper one at its depth starts.
   */
  readonly presentStack: FieldCodec[][] = [];
  readonly valueStack: unknown[][] = [];
  /** The UNKNOWN_FIELDS of the message presentFields read last. */
  unknown: Uint8Array[] | undefined = undefined;
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

export function utf8Length(value: string): number {
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


export function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varint32Size(lo);
  return hi < 0x8 ? 5 : hi < 0x400 ? 6 : hi < 0x20000 ? 7 : hi < 0x1000000 ? 8 : hi < 0x80000000 ? 9 : 10;
}

/**
 * The fields `msg` sets (neither undefined nor null), in field-number order, into the encoder's lists for
 * `depth`; returns their count and leaves its unknown fields in e.unknown. Walks the object's own keys
 * rather than looking up every field the schema has: most messages set a few of many (an AttributeProto
 * one or two of 18), and each lookup of an absent property by a varying name was a megamorphic miss, over
 * half of encoding a 44k-node model. Keys come in insertion order, which for decoded messages and nearly
 * all built ones is field order; the rare other order is sorted here.
 */
function presentFields(e: Encoder, codec: MessageCodec, msg: Msg, depth: number): number {
  const fields = (e.presentStack[depth] ??= []);
  const values = (e.valueStack[depth] ??= []);
  const byName = codec.byName;
  let count = 0;
  let sorted = true;
  e.unknown = undefined;
  for (const key in msg) {
    const field = byName[key];
    if (field === undefined) {
      if (key === UNKNOWN_FIELDS) e.unknown = msg[key] as Uint8Array[] | undefined;
      continue;
    }
    const value = msg[key];
    if (value === undefined || value === null) continue;
    if (count > 0 && fields[count - 1].id > field.id) sorted = false;
    fields[count] = field;
    values[count] = value;
    count++;
  }
  if (!sorted) {
    for (let i = 1; i < count; i++) {
      const field = fields[i];
      const value = values[i];
      let j = i - 1;
      for (; j >= 0 && fields[j].id > field.id; j--) {
        fields[j + 1] = fields[j];
        values[j + 1] = values[j];
      }
      fields[j + 1] = field;
      values[j + 1] = value;
    }
  }
  return count;
}

export function messageSize(e: Encoder, codec: MessageCodec, msg: Msg, depth: number): number {
  if (depth > MAX_DEPTH) {
    throw new CastawayError('unsupported', `${codec.name} is nested more than ${MAX_DEPTH} deep (or contains itself)`);
  }
  if (msg === null || typeof msg !== 'object') throw new TypeError(`${codec.name}: expected a message object, got ${String(msg)}`);
  const source = codec.keepsSource ? verbatim(e, msg) : -1;
  if (source >= 0) return e.sizes[e.sizes.push(source) - 1];
  const slot = e.sizes.push(0) - 1;
  let size = 0;
  // indexed loops, not for-of: these run ~0.5M times per 44k-node model, mostly before the JIT optimizes them
  const count = presentFields(e, codec, msg, depth);
  const unknown = e.unknown;
  const fields = e.presentStack[depth];
  const values = e.valueStack[depth];
  for (let f = 0; f < count; f++) {
    const field = fields[f];
    const value = values[f];
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
      else for (let k = 0; k < value.length; k++) payload += scalarVarintSize(e, field, value[k]);
      e.sizes.push(payload);
      size += field.tagSize + varint32Size(payload) + payload;
    } else {
      for (let k = 0; k < value.length; k++) size += field.tagSize + valueSize(e, field, value[k], depth);
    }
  }
  if (unknown) for (const chunk of unknown) size += chunk.length;
  e.sizes[slot] = size;
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
      if (value.length >= e.pieceMin) e.pieceBytes += value.length;
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

/**
 * The length of the bytes a decoded message came from, when they are what encoding it writes (verbatim.ts)
 * and short of a piece of its own (copied as they are), else -1. messageSize and writeMessage ask alike.
 */
function verbatim(e: Encoder, msg: Msg): number {
  const length = sourceLength(msg);
  return length < e.pieceMin ? length : -1;
}

export function writeMessage(e: Encoder, codec: MessageCodec, msg: Msg, depth = 0): void {
  e.next++; // this message's size, read by the caller
  const source = codec.keepsSource ? verbatim(e, msg) : -1;
  if (source >= 0) {
    copySource(msg, e.buf, e.pos);
    e.pos += source;
    return;
  }
  const count = presentFields(e, codec, msg, depth);
  const unknown = sortedUnknownFields(e.unknown);
  const fields = e.presentStack[depth];
  const values = e.valueStack[depth];
  let nextUnknown = 0;
  for (let f = 0; f < count; f++) {
    const field = fields[f];
    const value = values[f];
    while (nextUnknown < unknown.length && unknown[nextUnknown].id < field.id) writeRaw(e, unknown[nextUnknown++].bytes);
    if (!field.repeated) {
      e.varint32(field.tag);
      writeValue(e, field, value, depth);
      continue;
    }
    const list = value as unknown[];
    if (list.length === 0) continue;
    if (field.packed) {
      e.varint32(field.tag);
      e.varint32(e.sizes[e.next++]);
      for (let k = 0; k < list.length; k++) writeScalar(e, field, list[k]);
    } else {
      for (let k = 0; k < list.length; k++) {
        e.varint32(field.tag);
        writeValue(e, field, list[k], depth);
      }
    }
  }
  while (nextUnknown < unknown.length) writeRaw(e, unknown[nextUnknown++].bytes);
}

const NO_UNKNOWN_FIELDS: { id: number; bytes: Uint8Array }[] = [];

function sortedUnknownFields(chunks: Uint8Array[] | undefined): { id: number; bytes: Uint8Array }[] {
  if (!chunks || chunks.length === 0) return NO_UNKNOWN_FIELDS; // the common case allocates nothing
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

function writeValue(e: Encoder, field: FieldCodec, value: unknown, depth: number): void {
  switch (field.kind) {
    case Kind.Message: {
      e.varint32(e.sizes[e.next]);
      writeMessage(e, field.message!, value as Msg, depth + 1);
      return;
    }
    case Kind.String: {
      const text = value as string;
      if (text.length < 43) {
        // at most 3 * 42 = 126 bytes of UTF-8: a one-byte length, patched after one pass over the text
        const at = e.pos++;
        e.utf8(text);
        e.buf[at] = e.pos - at - 1;
        return;
      }
      e.varint32(utf8Length(text));
      e.utf8(text);
      return;
    }
    case Kind.Bytes: {
      const bytes = value as Uint8Array;
      e.varint32(bytes.length);
      if (bytes.length >= e.pieceMin) {
        // referenced, not copied: the bytes written so far, then the field's own bytes
        e.pieces.push(e.buf.subarray(e.pieceStart, e.pos), bytes);
        e.pieceStart = e.pos;
        return;
      }
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

