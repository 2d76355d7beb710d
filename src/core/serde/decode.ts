// The serde's decoder: protobuf bytes to plain message objects, bytes fields as views into the input,
// failures classified into CastawayError codes with byte offsets.
import Long from 'long';
import { CastawayError } from '../errors';
import { UNKNOWN_FIELDS } from '../onnx/proto-types';
import { rememberSource, SourcedMessage } from './verbatim';
import { appended } from '../short-lists';
import { SHORT_STRING_MAX, ShortStrings } from './short-strings';
import { Kind, MAX_DEPTH, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, WIRE_START_GROUP, WIRE_END_GROUP, wireOf, type FieldCodec, type MessageCodec, type Msg } from './schema';

// ---------------------------------------------------------------------------------------------------------
// Decoding.

export class DecodeFailure extends Error {
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

export function asPlainBytes(bytes: Uint8Array): Uint8Array {
  // A Node Buffer is a Uint8Array subclass; a plain view keeps decoded objects identical everywhere.
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

export class Decoder {
  readonly view: DataView;
  pos = 0;
  /** The last varint read, as two unsigned 32-bit halves. */
  lo = 0;
  hi = 0;
  /** Message and field names down to the one being decoded, for error locations. */
  readonly path: string[] = [];
  /**
   * Count of things read so far that encoding the decoded objects would not write back byte for byte
   * (verbatim.ts): a message whose bytes added none re-encodes to exactly them.
   */
  irregular = 0;
  /** The short ASCII strings read so far (short-strings.ts), made on the first string read. */
  strings: ShortStrings | undefined = undefined;

  /**
   * Whether NodeProtos remember their source bytes (verbatim.ts). Only for a caller that never changes a decoded
   * node in place (the engine copies what it changes): the encoder would write the old bytes of a changed one.
   */
  constructor(readonly buf: Uint8Array, readonly keepSources = false) {
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
        if (b === 0 && shift > 0) this.irregular++; // a longer varint than needed
        this.pos = p; this.lo = lo >>> 0; this.hi = 0;
        return;
      }
    }
    if (p >= end) this.varintOverrun(start, end);
    b = buf[p++];
    lo |= (b & 0x7f) << 28;
    let hi = (b & 0x7f) >>> 4;
    if (b < 0x80) {
      if (b === 0) this.irregular++;
      this.pos = p; this.lo = lo >>> 0; this.hi = hi;
      return;
    }
    for (let shift = 3; shift < 32; shift += 7) {
      if (p >= end) this.varintOverrun(start, end);
      b = buf[p++];
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) {
        if (b === 0) this.irregular++;
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
  /** The field is named `${what}${sep}${name}`, joined only on failure: no string is built per field read. */
  length(fieldStart: number, end: number, what: string, sep = '', name = ''): number {
    this.varint(end);
    const length = this.hi * 0x100000000 + this.lo;
    if (length > end - this.pos) {
      this.fail(
        'overrun', fieldStart, end,
        `${what}${sep}${name} at byte ${fieldStart} needs ${length} bytes, up to byte ${this.pos + length}, but ${this.limitName(end)}`,
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
    const start = this.pos;
    this.pos = start + length;
    if (length <= SHORT_STRING_MAX) {
      const ascii = (this.strings ??= new ShortStrings(this.buf)).read(start, length);
      if (ascii !== undefined) return ascii;
    }
    return this.utf8Slow(this.buf.subarray(start, start + length));
  }

  utf8Slow(bytes: Uint8Array): string {
    try {
      return fatalUtf8.decode(bytes);
    } catch {
      this.irregular++;
      return lossyUtf8.decode(bytes); // invalid UTF-8 (protoc's proto2 allows it) cannot round-trip exactly
    }
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


export function decodeInto(d: Decoder, codec: MessageCodec, end: number, depth: number, msg: Msg): Msg {
  if (depth > MAX_DEPTH) d.fail('too-deep', d.pos, end, `messages nested more than ${MAX_DEPTH} deep`);
  const byId = codec.byId;
  let lastId = 0;
  while (d.pos < end) {
    const start = d.pos;
    d.varint(end);
    const tag = d.lo;
    const id = tag >>> 3;
    const wire = tag & 7;
    if (d.hi !== 0 || id === 0) d.fail('malformed', start, end, `invalid tag (field number 0 or beyond 2^29) at byte ${start} in ${codec.name}`);
    const field = id < byId.length ? byId[id] : undefined;
    if (field === undefined) {
      d.irregular++;
      d.skip(wire, id, start, end, depth);
      const unknown = (msg[UNKNOWN_FIELDS] ??= []) as Uint8Array[];
      unknown.push(d.buf.subarray(start, d.pos));
      continue;
    }
    // the encoder writes fields in field-number order, each once, a repeated one as one run (packed: one value)
    if (id < lastId || (id === lastId && (!field.repeated || field.packed))) d.irregular++;
    lastId = id;
    if (wire === field.wire) {
      if (field.packed) d.irregular++; // written unpacked, encoded packed
      const value = readValue(d, field, start, end, depth, msg);
      if (field.repeated) {
        const list = msg[field.name] as unknown[] | undefined;
        // exact-length arrays while short (short-lists.ts): a node's input, output and attribute lists
        // pushed onto kept 17+ slots each, ~16 MB of slack on a 44k-node model, all of it surviving
        if (!list) msg[field.name] = [value];
        else msg[field.name] = appended(list, value);
      } else {
        msg[field.name] = value;
        if (field.oneofSiblings) {
          for (const sibling of field.oneofSiblings) {
            if (msg[sibling] !== undefined) d.irregular++; // a dropped member would not be written back
            delete msg[sibling];
          }
        }
      }
    } else if (wire === WIRE_LEN && field.packable) {
      const length = d.length(start, end, codec.name, '.', field.name);
      if (!field.packed || length === 0) d.irregular++; // encoded unpacked, or an empty run (not written)
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
      const length = d.length(start, end, field.message!.name, ' ', field.name);
      const keepsSource = d.keepSources && field.message!.keepsSource;
      // a repeated singular message merges
      const target = field.repeated ? (keepsSource ? (new SourcedMessage() as unknown as Msg) : {}) : ((msg[field.name] as Msg | undefined) ?? {});
      const from = d.pos;
      const before = d.irregular;
      d.path.push(field.name);
      decodeInto(d, field.message!, from + length, depth + 1, target);
      d.path.pop();
      if (keepsSource && d.irregular === before && field.repeated) rememberSource(target, d.buf, from, from + length);
      return target;
    }
    case Kind.String:
      return d.string(d.length(start, end, 'string', ' ', field.name));
    case Kind.Bytes: {
      const length = d.length(start, end, 'bytes', ' ', field.name);
      const p = d.pos;
      d.pos = p + length;
      return d.buf.subarray(p, p + length);
    }
    case Kind.Float: {
      const value = d.view.getFloat32(d.fixed(start, 4, end, field.name), true);
      if (value !== value) d.irregular++; // a NaN's payload need not survive a JS number
      return value;
    }
    case Kind.Double: {
      const value = d.view.getFloat64(d.fixed(start, 8, end, field.name), true);
      if (value !== value) d.irregular++;
      return value;
    }
    case Kind.Fixed32: return d.view.getUint32(d.fixed(start, 4, end, field.name), true);
    case Kind.SFixed32: return d.view.getInt32(d.fixed(start, 4, end, field.name), true);
    case Kind.Fixed64:
    case Kind.SFixed64: {
      const p = d.fixed(start, 8, end, field.name);
      return Long.fromBits(d.view.getInt32(p, true), d.view.getInt32(p + 4, true), field.kind === Kind.Fixed64);
    }
    default:
      d.varint(end);
      if (!regularVarint(field.kind, d.lo, d.hi)) d.irregular++;
      return varintValue(field.kind, d.lo, d.hi);
  }
}

/** Whether the encoder writes this varint back as read (64-bit kinds always; the others only in range). */
function regularVarint(kind: Kind, lo: number, hi: number): boolean {
  switch (kind) {
    case Kind.Int64: case Kind.UInt64: case Kind.SInt64: return true;
    case Kind.UInt32: case Kind.SInt32: return hi === 0;
    case Kind.Bool: return hi === 0 && lo <= 1;
    // int32 and enum: non-negative in 32 bits, or negative sign-extended to 64 (the 10-byte form)
    default: return hi === 0 ? lo <= 0x7fffffff : hi === 0xffffffff && lo > 0x7fffffff;
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
        case Kind.Float: {
          const value = view.getFloat32(p, true);
          if (value !== value) d.irregular++;
          list.push(value);
          break;
        }
        case Kind.Double: {
          const value = view.getFloat64(p, true);
          if (value !== value) d.irregular++;
          list.push(value);
          break;
        }
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
    if (!regularVarint(field.kind, d.lo, d.hi)) d.irregular++;
    list.push(varintValue(field.kind, d.lo, d.hi));
  }
}

/**
 * Names the failure for a user: a plausible ONNX file that runs past the end of the input is truncated; one
 * that breaks later is corrupt; bytes that do not even start like a ModelProto are 'not-onnx' when they
 * still parse as some protobuf message and 'not-protobuf' otherwise.
 */
export function classifyModelFailure(failure: DecodeFailure, bytes: Uint8Array, codec: MessageCodec): CastawayError {
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

