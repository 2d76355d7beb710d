// Finds tensors whose bytes live outside the model (TensorProto data_location=EXTERNAL or external_data
// entries), by walking the protobuf wire format without decoding the model. The companion refuses such
// models: onnxruntime would resolve the `location` against the inference process's working directory (or, for
// its special in-memory location, read process memory), so a request could make it read files of this
// machine and send them back as outputs. Browser-safe and dependency-free: a few field numbers of onnx.proto.

/** Where a tensor with external data was found, for the error message. */
export interface ExternalTensor {
  /** The tensor's name ('' when unnamed). */
  name: string;
  /** Its `location` entry ('' when absent). */
  location: string;
}

export class WireError extends Error {}

// Field numbers (onnx.proto) of the messages that can hold a TensorProto, and the fields that lead to one.
const MODEL = { graph: 7, trainingInfo: 20, functions: 25 };
const GRAPH = { node: 1, initializer: 5, sparseInitializer: 15 };
const NODE = { attribute: 5 };
const ATTRIBUTE = { t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 };
const FUNCTION = { node: 7 };
const SPARSE = { values: 1, indices: 2 };
const TRAINING = { initialization: 1, algorithm: 2 };
const TENSOR = { name: 8, externalData: 13, dataLocation: 14 };
const ENTRY = { key: 1, value: 2 };

/** Nesting limit: deeper than any real model, shallow enough that a crafted one cannot overflow the stack. */
const MAX_DEPTH = 64;

type Visit = (field: number, wire: number, start: number, end: number, value: number) => void;

/** Calls `visit` for each field of the message in bytes[start, end); varints give their value (low 32 bits). */
function fields(b: Uint8Array, start: number, end: number, visit: Visit): void {
  let p = start;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= end) throw new WireError('truncated varint');
      const x = b[p++];
      if (shift < 49) v += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(x & 0x80)) return v;
    }
    throw new WireError('varint longer than 10 bytes');
  };
  while (p < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new WireError('field number 0');
    if (wire === 0) {
      const v = varint();
      visit(field, wire, p, p, v);
    } else if (wire === 1 || wire === 5) {
      p += wire === 1 ? 8 : 4;
      if (p > end) throw new WireError('truncated fixed-width field');
    } else if (wire === 2) {
      const len = varint();
      if (len > end - p) throw new WireError('length past the end of the message');
      visit(field, wire, p, p + len, len);
      p += len;
    } else if (wire === 3) {
      // a group: onnx.proto has none, but protobuf's parser (onnxruntime's) skips it as an unknown field, so
      // skip it too rather than refuse a model onnxruntime would load
      let open = 1;
      while (open > 0) {
        const k = varint();
        const w = k % 8;
        if (w === 3) open++;
        else if (w === 4) open--;
        else if (w === 0) varint();
        else if (w === 1 || w === 5) p += w === 1 ? 8 : 4;
        else if (w === 2) p += varint();
        else throw new WireError(`wire type ${w}`);
        if (p > end) throw new WireError('truncated group');
      }
    } else {
      throw new WireError(`wire type ${wire} (field ${field})`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The first tensor in `model` (ONNX ModelProto bytes) with external data, or undefined. Throws WireError on bytes that are not protobuf. */
export function findExternalTensor(model: Uint8Array): ExternalTensor | undefined {
  let found: ExternalTensor | undefined;

  const tensor = (s: number, e: number): void => {
    let name = '';
    let location = '';
    let external = false;
    fields(model, s, e, (f, w, a, z, v) => {
      if (f === TENSOR.name && w === 2) name = utf8.decode(model.subarray(a, z));
      else if (f === TENSOR.dataLocation && w === 0 && v !== 0) external = true;
      else if (f === TENSOR.externalData && w === 2) {
        external = true;
        let k = '';
        let val = '';
        fields(model, a, z, (ef, ew, ea, ez) => {
          if (ew !== 2) return;
          if (ef === ENTRY.key) k = utf8.decode(model.subarray(ea, ez));
          else if (ef === ENTRY.value) val = utf8.decode(model.subarray(ea, ez));
        });
        if (k === 'location') location = val;
      }
    });
    if (external && !found) found = { name, location };
  };
  const sparse = (s: number, e: number): void =>
    fields(model, s, e, (f, w, a, z) => {
      if (w === 2 && (f === SPARSE.values || f === SPARSE.indices)) tensor(a, z);
    });
  const graph = (s: number, e: number, depth: number): void => {
    if (depth > MAX_DEPTH) throw new WireError(`graphs nested deeper than ${MAX_DEPTH}`);
    fields(model, s, e, (f, w, a, z) => {
      if (w !== 2) return;
      if (f === GRAPH.initializer) tensor(a, z);
      else if (f === GRAPH.sparseInitializer) sparse(a, z);
      else if (f === GRAPH.node) node(a, z, depth);
    });
  };
  const node = (s: number, e: number, depth: number): void =>
    fields(model, s, e, (f, w, a, z) => {
      if (w === 2 && f === NODE.attribute) attribute(a, z, depth);
    });
  const attribute = (s: number, e: number, depth: number): void =>
    fields(model, s, e, (f, w, a, z) => {
      if (w !== 2) return;
      if (f === ATTRIBUTE.t || f === ATTRIBUTE.tensors) tensor(a, z);
      else if (f === ATTRIBUTE.sparseTensor || f === ATTRIBUTE.sparseTensors) sparse(a, z);
      else if (f === ATTRIBUTE.g || f === ATTRIBUTE.graphs) graph(a, z, depth + 1);
    });

  fields(model, 0, model.length, (f, w, a, z) => {
    if (w !== 2) return;
    if (f === MODEL.graph) graph(a, z, 0);
    else if (f === MODEL.functions) {
      fields(model, a, z, (ff, fw, fa, fz) => {
        if (fw === 2 && ff === FUNCTION.node) node(fa, fz, 0);
      });
    } else if (f === MODEL.trainingInfo) {
      fields(model, a, z, (tf, tw, ta, tz) => {
        if (tw === 2 && (tf === TRAINING.initialization || tf === TRAINING.algorithm)) graph(ta, tz, 0);
      });
    }
  });
  return found;
}
