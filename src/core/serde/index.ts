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
//
// Split along its sections: schema.ts (protobufjs reflection to flat tables), decode.ts, encode.ts; this file
// is the public API.
import { CastawayError } from '../errors';
import { visitTensors, checkTensorShape, siteWhere, type TensorSite } from '../external-data';
import { DecodeFailure, Decoder, asPlainBytes, classifyModelFailure, decodeInto } from './decode';
import { Encoder, messageSize, writeMessage } from './encode';
import { codecOf, varint32Size, type Msg } from './schema';
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
} from '../onnx/proto-types';

export { UNKNOWN_FIELDS };

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
 *
 * `keepNodeBytes`: each NodeProto remembers the bytes it came from, and encoding it copies them instead of
 * writing it field by field (serde/verbatim.ts; ~0.15 s of a 44k-node convert). Only for a model nothing
 * changes in place: a node changed after decoding would be written with its old bytes. The engine asks for it
 * when it decodes a model itself (openModel from bytes) and the CLI for the model it hands to the engine;
 * the default is off, so that a caller may edit a decoded model and encode it.
 *
 * `visitTensor`: called with every tensor of the model, after its checks, in visitTensors's order and with
 * its site (valid during the call): a caller's per-tensor work without a walk of its own.
 */
export function decodeModel(
  bytes: Uint8Array,
  { keepNodeBytes = false, visitTensor }: { keepNodeBytes?: boolean; visitTensor?: (tensor: TensorProto, site: TensorSite) => void } = {},
): ModelProto {
  const input = asPlainBytes(bytes);
  if (input.length === 0) {
    throw new CastawayError('not-onnx', 'The file is empty (0 bytes), so it holds no ONNX model', 'byte 0');
  }
  const codec = codecOf('ModelProto');
  let model: ModelProto;
  try {
    model = decodeInto(new Decoder(input, keepNodeBytes), codec, input.length, 0, {}) as ModelProto;
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
  // the site is worded only for a tensor that fails (one message string per tensor cost more than the check);
  // a caller's own per-tensor work (the CLI's external data reads) rides on this walk: one walk of a 44k-node
  // model fewer (~10 ms cold)
  visitTensors(model, visitTensor
    ? (tensor, site) => {
      checkTensorShape(tensor, () => siteWhere(tensor, site));
      visitTensor(tensor, site);
    }
    : (tensor, site) => checkTensorShape(tensor, () => siteWhere(tensor, site)));
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
  return encodeWith(new Encoder(), type, message).buf;
}

/**
 * `message` with `fields` (each one or more whole fields: tag, then value, as encodeRepeatedField and
 * encodeTensorValueInfos give them) written at their field number's place when it is encoded, as unknown
 * fields are: a part of a message encoded ahead of the rest. The fields they encode must not also be set.
 */
export function withEncodedFields<T extends object>(message: T, fields: readonly Uint8Array[]): T {
  const present = fields.filter((f) => f.length > 0);
  if (!present.length) return message;
  const unknown = (message as Msg)[UNKNOWN_FIELDS] as Uint8Array[] | undefined;
  return { ...message, [UNKNOWN_FIELDS]: [...(unknown ?? []), ...present] };
}

/** One length-delimited field (field number `id`) holding `value`: tag, length, bytes. */
export function encodeRepeatedField(id: number, value: Uint8Array): Uint8Array {
  const e = new Encoder();
  const tag = ((id << 3) | 2) >>> 0;
  e.start(varint32Size(tag) + varint32Size(value.length) + value.length);
  e.varint32(tag);
  e.varint32(value.length);
  e.buf.set(value, e.pos);
  return e.buf;
}

export { encodeTensorValueInfos, type TensorValueInfos } from './value-info-bytes';

/**
 * Encodes a model as a list of pieces whose concatenation is encodeModel's bytes: bytes fields of at least
 * `pieceMin` bytes (a large model's weights) are pieces of their own, the very arrays of the model, so that
 * writing a 1 GB model copies its weights once (into the file) instead of twice.
 */
export function encodeModelPieces(model: ModelProto, pieceMin = 1 << 16): Uint8Array[] {
  const encoder = new Encoder();
  encoder.pieceMin = pieceMin;
  encodeWith(encoder, 'ModelProto', model);
  encoder.pieces.push(encoder.buf.subarray(encoder.pieceStart, encoder.pos));
  return encoder.pieces.filter((p) => p.length > 0);
}

function encodeWith<K extends ProtoMessageName>(encoder: Encoder, type: K, message: ProtoMessages[K]): Encoder {
  const codec = codecOf(type);
  const size = messageSize(encoder, codec, message as Msg, 0);
  if (size > MAX_MESSAGE_BYTES) {
    throw new CastawayError(
      'unsupported',
      `The ${type} would be ${size} bytes; protobuf cannot hold 2 GiB or more, so store large tensors as external data (writeExternalData)`,
    );
  }
  encoder.start(size - encoder.pieceBytes);
  writeMessage(encoder, codec, message as Msg);
  return encoder;
}
