// A model in layer-sized pieces (segments.ts) as something another worker can run without ever holding the
// whole model: the distinct pieces encoded once each, the order to run them in, and the weights they are
// fed. The model worker builds it from the simulated model it just made, so the runtime worker neither
// decodes a 12k-node model nor waits for it to be encoded (about a second each way on the 64-layer decoder).
import type { ModelProto, TensorProto } from '../onnx/proto-types';
import { DataType, toNumber } from '../onnx/proto-types';
import { tensorBytes } from '../external-data';
import { decodeModel, encodeModel } from '../serde';
import { MIN_SEGMENTED_NODES, pieceKey, segmentModel, segmentProto } from './segments';

export interface PieceStep {
  /** Index into PieceProgram.pieces. */
  piece: number;
  /** Values fed to the piece's inputs `i0..`, in order (graph inputs, earlier steps' outputs, weights). */
  inputs: string[];
  /** Values the piece produces for later steps or the caller, and their names inside the piece. */
  outputs: string[];
  local: string[];
  /** Values the piece returns packed (Segment.packed), and the names of the packed data and sizes in it. */
  packed: string[];
  packedLocal?: { data: string; sizes: string };
}

/** A fed weight's data as onnxruntime takes it (float32, float16 bits or float64). */
export interface FedWeight {
  name: string;
  type: 'float32' | 'float16' | 'float64';
  dims: number[];
  data: Float32Array | Uint16Array | Float64Array;
}

export interface PieceProgram {
  /**
   * The distinct pieces, encoded with their inputs' element types left undefined: the runner types them
   * from the values that feed them (`typedPiece`), the one thing only a run knows.
   */
  pieces: Uint8Array[];
  steps: PieceStep[];
  weights: FedWeight[];
  /** Element types of the model's graph inputs (a float16 input given float32 data is converted). */
  inputTypes: Record<string, number>;
  /** The model's graph outputs, in order. */
  outputs: string[];
}

function fedWeight(name: string, tensor: TensorProto): FedWeight {
  const copy = (tensorBytes(tensor) ?? new Uint8Array(0)).slice(); // aligned, and owns its buffer (transferable)
  const dims = (tensor.dims ?? []).map((d) => toNumber(d));
  if (tensor.dataType === DataType.FLOAT16) return { name, type: 'float16', dims, data: new Uint16Array(copy.buffer) };
  if (tensor.dataType === DataType.DOUBLE) return { name, type: 'float64', dims, data: new Float64Array(copy.buffer) };
  return { name, type: 'float32', dims, data: new Float32Array(copy.buffer) };
}

/**
 * The model as a piece program, or null where it does not split (segmentModel: fewer than `minNodes`
 * nodes, control flow, a single piece, ...): such a model runs whole.
 */
export function pieceProgram(model: ModelProto, minNodes = MIN_SEGMENTED_NODES): PieceProgram | null {
  const segmented = segmentModel(model, minNodes);
  if (!segmented) return null;
  const byKey = new Map<string, number>();
  const pieces: Uint8Array[] = [];
  const steps = segmented.segments.map((segment): PieceStep => {
    const piece = segmentProto(segmented, segment);
    const key = pieceKey(piece.model);
    let index = byKey.get(key);
    if (index === undefined) {
      index = pieces.length;
      byKey.set(key, index);
      pieces.push(encodeModel(piece.model));
    }
    return { piece: index, inputs: segment.inputs, outputs: segment.outputs, local: piece.outputs, packed: segment.packed, packedLocal: piece.packed };
  });
  const graph = model.graph!;
  return {
    pieces,
    steps,
    weights: [...segmented.fed].map(([name, tensor]) => fedWeight(name, tensor)),
    inputTypes: Object.fromEntries((graph.input ?? []).map((v) => [v.name ?? '', v.type?.tensorType?.elemType ?? DataType.UNDEFINED])),
    outputs: (graph.output ?? []).map((v) => v.name ?? ''),
  };
}

/** A piece with its inputs typed by the values that will feed it: what a session is created from. */
export function typedPiece(piece: Uint8Array, inputTypes: readonly number[]): Uint8Array {
  const model = decodeModel(piece);
  (model.graph?.input ?? []).forEach((input, k) => {
    input.type = { tensorType: { elemType: inputTypes[k] } };
  });
  return encodeModel(model);
}

/** Buffers a program can hand to another worker without a copy (each piece and weight owns its buffer). */
export function programBuffers(program: PieceProgram): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of [...program.pieces, ...program.weights.map((w) => w.data)]) {
    if (view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) buffers.add(view.buffer);
  }
  return [...buffers];
}
