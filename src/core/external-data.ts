// Tensor data wherever it lives: raw_data, the typed *_data fields, or an ONNX external data file. The only
// module that knows external data (location / offset / length entries and data-file layout). Also the walk
// over every TensorProto of a model (initializers, Constant and other attribute tensors, subgraphs,
// functions, training graphs) and the size rules of tensors, which serde's checks share.
import { CastawayError } from './errors';
import {
  toNumber,
  type AttributeProto,
  type FunctionProto,
  type GraphProto,
  type Int64,
  type ModelProto,
  type NodeProto,
  type SparseTensorProto,
  type StringStringEntryProto,
  type TensorProto,
  type TrainingInfoProto,
} from './onnx/proto-types';

/** TensorProto.DataLocation.EXTERNAL. */
export const EXTERNAL = 1;

// ---------------------------------------------------------------------------------------------------------
// Walking every tensor.

export interface TensorSite {
  kind: 'initializer' | 'sparse-initializer' | 'attribute';
  /** Name of the graph (or function) that holds it. */
  graph: string;
  node?: string;
  attribute?: string;
}

/** Returns the tensor unchanged, or a replacement. */
export type TensorMapper = (tensor: TensorProto, where: string, site: TensorSite) => TensorProto;

/**
 * Applies `map` to every TensorProto of the model and returns a model that shares every object the mapping
 * left unchanged (the input model is never modified; when nothing changes, the same model comes back).
 */
export function mapTensors(model: ModelProto, map: TensorMapper): ModelProto {
  return changed(model, {
    graph: model.graph && mapGraph(model.graph, map),
    functions: mapList(model.functions, (f) => mapFunction(f, map)),
    trainingInfo: mapList(model.trainingInfo, (info): TrainingInfoProto => changed(info, {
      initialization: info.initialization && mapGraph(info.initialization, map),
      algorithm: info.algorithm && mapGraph(info.algorithm, map),
    })),
  });
}

/**
 * Where a tensor sits, in words, for an error message: "initializer 'w' of graph 'g'", "tensor 'value' in
 * attribute 'value' of node 'c' in graph 'g'", ...: what mapTensors passes as `where`.
 */
export function siteWhere(tensor: TensorProto, site: TensorSite): string {
  const name = tensor.name ?? '';
  if (site.kind === 'initializer') return `initializer '${name}' of graph '${site.graph}'`;
  if (site.kind === 'sparse-initializer') return `sparse initializer '${name}' of graph '${site.graph}'`;
  return `tensor '${name}' in attribute '${site.attribute ?? ''}' of ${site.node === undefined ? `function '${site.graph}'` : `node '${site.node}' in graph '${site.graph}'`}`;
}

/**
 * Calls `visit` on every TensorProto of the model, in the order mapTensors does. Unlike mapTensors it
 * allocates nothing per node or tensor (no closure, no site, no message string): a model is walked three
 * or four times per convert, and a 44k-node graph with 16k Constants cost ~50 ms of cold CPU per walk.
 * `site` is one object updated in place: valid during the call only (siteWhere words it for an error).
 */
export function visitTensors(model: ModelProto, visit: (tensor: TensorProto, site: TensorSite) => void): void {
  const site: TensorSite = { kind: 'initializer', graph: '', node: undefined, attribute: undefined };
  if (model.graph) visitGraph(model.graph, site, visit);
  for (const fn of model.functions ?? []) {
    const name = `${fn.domain ?? ''}.${fn.name ?? ''}`;
    for (const node of fn.node ?? []) visitNode(node, name, site, visit);
    for (const attr of fn.attributeProto ?? []) visitAttribute(attr, name, undefined, site, visit);
  }
  for (const info of model.trainingInfo ?? []) {
    if (info.initialization) visitGraph(info.initialization, site, visit);
    if (info.algorithm) visitGraph(info.algorithm, site, visit);
  }
}

function visitGraph(graph: GraphProto, site: TensorSite, visit: (tensor: TensorProto, site: TensorSite) => void): void {
  const name = graph.name ?? '';
  const initializers = graph.initializer ?? [];
  for (let i = 0; i < initializers.length; i++) {
    atGraph(site, 'initializer', name);
    visit(initializers[i], site);
  }
  const sparse = graph.sparseInitializer ?? [];
  for (let i = 0; i < sparse.length; i++) {
    atGraph(site, 'sparse-initializer', name);
    if (sparse[i].values) visit(sparse[i].values!, site);
    atGraph(site, 'sparse-initializer', name);
    if (sparse[i].indices) visit(sparse[i].indices!, site);
  }
  const nodes = graph.node ?? [];
  for (let i = 0; i < nodes.length; i++) visitNode(nodes[i], name, site, visit);
}

function atGraph(site: TensorSite, kind: TensorSite['kind'], graph: string): void {
  site.kind = kind;
  site.graph = graph;
  site.node = undefined;
  site.attribute = undefined;
}

/** Set again before each tensor: a body graph visited in between moves the site. */
function atAttribute(site: TensorSite, graph: string, node: string | undefined, attr: AttributeProto): void {
  site.kind = 'attribute';
  site.graph = graph;
  site.node = node;
  site.attribute = attr.name ?? '';
}

function visitNode(node: NodeProto, graph: string, site: TensorSite, visit: (tensor: TensorProto, site: TensorSite) => void): void {
  const attributes = node.attribute;
  if (!attributes) return;
  for (let i = 0; i < attributes.length; i++) visitAttribute(attributes[i], graph, node.name ?? node.opType ?? '', site, visit);
}

// Indexed loops and no closure or array per attribute: a 44k-node graph's 16k Constant tensors, walked four
// times per convert, made a closure, two spread arrays and an iterator each (~12 MB of garbage per convert).
function visitAttribute(attr: AttributeProto, graph: string, node: string | undefined, site: TensorSite, visit: (tensor: TensorProto, site: TensorSite) => void): void {
  const { t, tensors, sparseTensor, sparseTensors, g, graphs } = attr;
  if (!t && !tensors && !sparseTensor && !sparseTensors && !g && !graphs) return;
  if (t) {
    atAttribute(site, graph, node, attr);
    visit(t, site);
  }
  if (tensors) {
    for (let i = 0; i < tensors.length; i++) {
      atAttribute(site, graph, node, attr);
      visit(tensors[i], site);
    }
  }
  if (sparseTensor) visitSparse(sparseTensor, graph, node, attr, site, visit);
  if (sparseTensors) for (let i = 0; i < sparseTensors.length; i++) visitSparse(sparseTensors[i], graph, node, attr, site, visit);
  if (g) visitGraph(g, site, visit);
  if (graphs) for (let i = 0; i < graphs.length; i++) visitGraph(graphs[i], site, visit);
}

function visitSparse(sparse: SparseTensorProto, graph: string, node: string | undefined, attr: AttributeProto, site: TensorSite, visit: (tensor: TensorProto, site: TensorSite) => void): void {
  atAttribute(site, graph, node, attr);
  if (sparse.values) visit(sparse.values, site);
  atAttribute(site, graph, node, attr);
  if (sparse.indices) visit(sparse.indices, site);
}

// The walkers below skip, without allocating, the many nodes and graphs that hold no tensor at all.

function mapGraph(graph: GraphProto, map: TensorMapper): GraphProto {
  const name = graph.name ?? '';
  const site = (kind: TensorSite['kind']): TensorSite => ({ kind, graph: name });
  return changed(graph, {
    initializer: mapList(graph.initializer, (t) => map(t, siteWhere(t, site('initializer')), site('initializer'))),
    sparseInitializer: mapList(graph.sparseInitializer, (s) =>
      mapSparse(s, (t) => map(t, siteWhere(t, site('sparse-initializer')), site('sparse-initializer')))),
    node: mapList(graph.node, (node) => mapNode(node, name, map)),
  });
}

function mapFunction(fn: FunctionProto, map: TensorMapper): FunctionProto {
  const name = `${fn.domain ?? ''}.${fn.name ?? ''}`;
  return changed(fn, {
    node: mapList(fn.node, (node) => mapNode(node, name, map)),
    attributeProto: mapList(fn.attributeProto, (attr) => mapAttribute(attr, name, undefined, map)),
  });
}

function mapNode(node: NodeProto, graph: string, map: TensorMapper): NodeProto {
  if (!node.attribute?.length) return node;
  return changed(node, { attribute: mapList(node.attribute, (attr) => mapAttribute(attr, graph, node.name ?? node.opType ?? '', map)) });
}

function mapAttribute(attr: AttributeProto, graph: string, node: string | undefined, map: TensorMapper): AttributeProto {
  if (!attr.t && !attr.tensors && !attr.sparseTensor && !attr.sparseTensors && !attr.g && !attr.graphs) return attr;
  const attribute = attr.name ?? '';
  const site: TensorSite = { kind: 'attribute', graph, node, attribute };
  const one = (t: TensorProto): TensorProto => map(t, siteWhere(t, site), site);
  if (attr.t && !attr.tensors && !attr.sparseTensor && !attr.sparseTensors && !attr.g && !attr.graphs) {
    // a Constant's value, by far the most common case: no field-by-field comparison object per attribute
    const t = one(attr.t);
    return t === attr.t ? attr : { ...attr, t };
  }
  return changed(attr, {
    t: attr.t && one(attr.t),
    tensors: mapList(attr.tensors, one),
    sparseTensor: attr.sparseTensor && mapSparse(attr.sparseTensor, one),
    sparseTensors: mapList(attr.sparseTensors, (s) => mapSparse(s, one)),
    g: attr.g && mapGraph(attr.g, map),
    graphs: mapList(attr.graphs, (g) => mapGraph(g, map)),
  });
}

function mapSparse(sparse: SparseTensorProto, map: (t: TensorProto) => TensorProto): SparseTensorProto {
  return changed(sparse, { values: sparse.values && map(sparse.values), indices: sparse.indices && map(sparse.indices) });
}

function mapList<T>(list: T[] | undefined, map: (item: T) => T): T[] | undefined {
  if (!list) return list;
  let out: T[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const item = map(list[i]);
    if (item !== list[i] && !out) out = list.slice(0, i);
    if (out) out.push(item);
  }
  return out ?? list;
}

/** `object` with the given fields replaced, or `object` itself when none differs. */
function changed<T extends object>(object: T, fields: Partial<T>): T {
  let out: T | undefined;
  for (const key of Object.keys(fields) as (keyof T)[]) {
    if (fields[key] !== object[key]) {
      out ??= { ...object };
      out[key] = fields[key] as T[keyof T];
    }
  }
  return out ?? object;
}

// ---------------------------------------------------------------------------------------------------------
// Tensor sizes.

/** Bits per element of each TensorProto.DataType; STRING and unknown types have none. */
const ELEMENT_BITS: Record<number, number> = {
  1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 14: 64, 15: 128, 16: 16,
  17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4, 23: 4, 24: 8, 25: 2, 26: 2,
};

/** Bits per element of a TensorProto.DataType, or undefined for STRING and types this table does not know. */
function elementBits(dataType: number | undefined): number | undefined {
  return ELEMENT_BITS[dataType ?? 0];
}

/** The number of elements, checking that dims are non-negative and their product is exact. */
/** Where a tensor is, for an error message: worded only when one is thrown (see visitTensors). */
type Where = string | (() => string);
const said = (where: Where): string => (typeof where === 'string' ? where : where());

function elementCount(tensor: TensorProto, where: Where = () => tensorWhere(tensor)): number {
  let count = 1;
  for (const dim of tensor.dims ?? []) {
    const value = int64Value(dim);
    if (value === undefined || value < 0) {
      throw new CastawayError('absurd-dims', `Tensor '${tensor.name ?? ''}' has dims ${formatDims(tensor.dims)}: a dimension is negative or too large`, said(where));
    }
    count *= value;
    if (!Number.isSafeInteger(count)) {
      throw new CastawayError('absurd-dims', `Tensor '${tensor.name ?? ''}' has dims ${formatDims(tensor.dims)}, whose element count overflows`, said(where));
    }
  }
  return count;
}

/** Bytes of the raw little-endian data of `count` elements (sub-byte types packed), if the type has a width. */
function expectedByteLength(dataType: number | undefined, count: number): number | undefined {
  const bits = elementBits(dataType);
  return bits === undefined ? undefined : Math.ceil((count * bits) / 8);
}

/**
 * Checks a decoded tensor: dims non-negative with an exact product, and inline data (raw_data or the typed
 * field its type uses) that holds exactly that many elements. Throws 'absurd-dims' naming the tensor.
 * External data is checked when resolved.
 */
export function checkTensorShape(tensor: TensorProto, where: Where = () => tensorWhere(tensor)): void {
  const count = elementCount(tensor, where);
  if (tensor.segment || tensor.dataLocation === EXTERNAL) return;
  const bytes = expectedByteLength(tensor.dataType, count);
  if (bytes !== undefined && Number.isSafeInteger(count) && !Number.isSafeInteger(bytes)) {
    throw new CastawayError('absurd-dims', `Tensor '${tensor.name ?? ''}' has dims ${formatDims(tensor.dims)}: too large`, said(where));
  }
  if (tensor.rawData !== undefined) {
    if (bytes !== undefined && tensor.rawData.length !== bytes) {
      throw new CastawayError(
        'absurd-dims',
        `Tensor '${tensor.name ?? ''}' has dims ${formatDims(tensor.dims)} (${count} elements, ${bytes} bytes) but raw_data holds ${tensor.rawData.length} bytes`,
        said(where),
      );
    }
    return;
  }
  const typed = typedStorage(tensor.dataType);
  const values = typed && (tensor[typed.field] as unknown[] | undefined);
  if (typed && values && values.length > 0) {
    const expected = Math.ceil(count / typed.elementsPerValue) * typed.valuesPerElement;
    if (values.length !== expected) {
      throw new CastawayError(
        'absurd-dims',
        `Tensor '${tensor.name ?? ''}' has dims ${formatDims(tensor.dims)} (${count} elements) but ${typed.field} holds ${values.length} values, not ${expected}`,
        said(where),
      );
    }
  }
}

interface TypedStorage {
  field: 'floatData' | 'doubleData' | 'int32Data' | 'int64Data' | 'uint64Data' | 'stringData';
  /** Bytes each stored value stands for in raw_data. */
  width: number;
  /** Elements packed in one stored value (4-bit and 2-bit types), and values per element (complex). */
  elementsPerValue: number;
  valuesPerElement: number;
}

function typedStorage(dataType: number | undefined): TypedStorage | undefined {
  const s = (field: TypedStorage['field'], width: number, elementsPerValue = 1, valuesPerElement = 1): TypedStorage =>
    ({ field, width, elementsPerValue, valuesPerElement });
  switch (dataType) {
    case 1: return s('floatData', 4);
    case 14: return s('floatData', 4, 1, 2); // COMPLEX64: real, imaginary
    case 11: return s('doubleData', 8);
    case 15: return s('doubleData', 8, 1, 2);
    case 7: return s('int64Data', 8);
    case 13: return s('uint64Data', 8);
    case 12: return s('uint64Data', 4);
    case 6: return s('int32Data', 4);
    case 4: case 5: case 10: case 16: return s('int32Data', 2); // (u)int16, float16, bfloat16: the bit pattern
    case 2: case 3: case 9: case 17: case 18: case 19: case 20: case 24: return s('int32Data', 1);
    case 21: case 22: case 23: return s('int32Data', 1, 2); // 4-bit types: two elements per byte
    case 25: case 26: return s('int32Data', 1, 4); // 2-bit types: four per byte
    case 8: return s('stringData', 0);
    default: return undefined;
  }
}

/**
 * The raw little-endian bytes of a tensor, whatever its storage: raw_data (a view, not a copy), resolved
 * external data (a view into its file), or the typed fields (float_data, int32_data holding float16 bit
 * patterns, ...) packed into a new array. Undefined for STRING tensors, unresolved external data, and
 * tensors that hold no data for a non-zero element count.
 */
export function tensorBytes(tensor: TensorProto): Uint8Array | undefined {
  if (tensor.dataLocation === EXTERNAL) return tensor.externalBytes;
  if (tensor.rawData !== undefined) return tensor.rawData;
  const typed = typedStorage(tensor.dataType);
  if (!typed || typed.field === 'stringData') return undefined;
  const values = (tensor[typed.field] as unknown[] | undefined) ?? [];
  if (values.length === 0) {
    const count = elementCount(tensor);
    return count === 0 ? new Uint8Array(0) : undefined;
  }
  const out = new Uint8Array(values.length * typed.width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const p = i * typed.width;
    const value = values[i];
    switch (typed.field) {
      case 'floatData': view.setFloat32(p, value as number, true); break;
      case 'doubleData': view.setFloat64(p, value as number, true); break;
      case 'int64Data':
      case 'uint64Data': {
        const [lo, hi] = int64Bits(value as Int64);
        view.setUint32(p, lo, true);
        if (typed.width === 8) view.setUint32(p + 4, hi, true);
        break;
      }
      default: {
        const v = value as number;
        if (typed.width === 4) view.setInt32(p, v, true);
        else if (typed.width === 2) view.setUint16(p, v & 0xffff, true);
        else out[p] = v & 0xff;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Reading external data.

/**
 * Attaches the bytes of every EXTERNAL tensor as `externalBytes` (a view into its file, never a copy), in
 * place, and returns the same model. The tensors stay marked EXTERNAL with their entries, so encodeModel
 * writes them as they were and writeExternalData keeps them external. This decorates a freshly decoded
 * model; it is the one step that modifies its input (it only adds `externalBytes`).
 * `files` maps a location, as written in the model, to its bytes; a location is also looked up without a
 * leading './' and by its base name (files dropped in a browser lose their folders). Throws
 * 'missing-external-data' for a file not supplied, 'absurd-dims' for an offset or length outside the file or
 * a length that does not match the dims. Every tensor is checked before any is modified.
 */
export function resolveExternalData(model: ModelProto, files: ReadonlyMap<string, Uint8Array>): ModelProto {
  const resolved: [TensorProto, Uint8Array][] = [];
  visitTensors(model, (tensor, site) => {
    if (tensor.dataLocation === EXTERNAL) resolved.push([tensor, externalView(tensor, siteWhere(tensor, site), files)]);
  });
  for (const [tensor, bytes] of resolved) tensor.externalBytes = bytes;
  return model;
}

function externalView(tensor: TensorProto, where: string, files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const info = externalDataInfo(tensor, where);
  const file = findFile(files, info.location);
  const at = `${where}, file '${info.location}'`;
  if (!file) {
    throw new CastawayError(
      'missing-external-data',
      `Tensor '${tensor.name ?? ''}' keeps its data in the external file '${info.location}', which was not supplied`,
      at,
    );
  }
  const length = externalByteLength(tensor, info, file.length, where);
  return file.subarray(info.offset, info.offset + length);
}

/**
 * How many bytes of its data file an EXTERNAL tensor reads, checked against the file's size and the tensor's
 * dims: one rule for files held in memory (the browser, the companion) and files read by range (the CLI).
 * Throws 'absurd-dims' for a range outside the file or a length that does not match the dims.
 */
export function externalByteLength(tensor: TensorProto, info: ExternalDataInfo, fileSize: number, where = tensorWhere(tensor)): number {
  const at = `${where}, file '${info.location}'`;
  const expected = expectedByteLength(tensor.dataType, elementCount(tensor, where));
  const length = info.length ?? expected ?? fileSize - info.offset;
  if (info.offset > fileSize || length > fileSize - info.offset) {
    throw new CastawayError(
      'absurd-dims',
      `Tensor '${tensor.name ?? ''}' reads bytes ${info.offset} to ${info.offset + length} of '${info.location}', which has ${fileSize} bytes`,
      at,
    );
  }
  if (expected !== undefined && length !== expected) {
    throw new CastawayError(
      'absurd-dims',
      `Tensor '${tensor.name ?? ''}' has dims ${formatDims(tensor.dims)} (${expected} bytes) but its external data is ${length} bytes`,
      at,
    );
  }
  return length;
}

/** The external data files a model names, in first-use order. */
export function externalDataLocations(model: ModelProto): string[] {
  const locations = new Set<string>();
  visitTensors(model, (tensor, site) => {
    if (tensor.dataLocation === EXTERNAL) locations.add(externalDataInfo(tensor, siteWhere(tensor, site)).location);
  });
  return [...locations];
}

export interface ExternalDataInfo {
  location: string;
  offset: number;
  /** Undefined when the entry is absent: the tensor's byte size from its dims. */
  length: number | undefined;
}

export function externalDataInfo(tensor: TensorProto, where = tensorWhere(tensor)): ExternalDataInfo {
  const entry = (key: string): string | undefined => tensor.externalData?.find((e) => e.key === key)?.value;
  const location = entry('location');
  if (!location) {
    throw new CastawayError('missing-external-data', `Tensor '${tensor.name ?? ''}' is marked external but names no location`, where);
  }
  const number = (key: string): number | undefined => {
    const text = entry(key);
    if (text === undefined || text === '') return undefined;
    const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
    if (!Number.isSafeInteger(value)) {
      throw new CastawayError('absurd-dims', `Tensor '${tensor.name ?? ''}' has external data ${key} '${text}', not a byte count`, where);
    }
    return value;
  };
  return { location, offset: number('offset') ?? 0, length: number('length') };
}

function findFile(files: ReadonlyMap<string, Uint8Array>, location: string): Uint8Array | undefined {
  const normalized = location.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  return files.get(location) ?? files.get(normalized) ?? files.get(normalized.slice(normalized.lastIndexOf('/') + 1));
}

// ---------------------------------------------------------------------------------------------------------
// Writing external data.

export interface ExternalDataOptions {
  /** Offset alignment of each tensor in the data file (4096 by default: pages, so runtimes can map it). */
  alignment?: number;
  /** Also move large attribute tensors (Constant values); by default only initializers move, as onnx does. */
  includeAttributes?: boolean;
  /**
   * Return the data file as `pieces` (zero padding and the tensors' own bytes, by reference) and leave
   * `data` empty: writing a 1 GB data file then copies the weights once, not twice.
   */
  pieces?: boolean;
}

export interface ExternalDataResult {
  model: ModelProto;
  /** The contents of the data file, to be written next to the model as `fileName` (empty with options.pieces). */
  data: Uint8Array;
  /** With options.pieces: the data file's contents as pieces to write one after another. */
  pieces?: Uint8Array[];
}

/**
 * Moves the data of every initializer of `thresholdBytes` or more, and of every tensor that was external
 * when read, into one data file named `fileName`: aligned offsets, location/offset/length entries,
 * data_location EXTERNAL. The input model is not modified. The moved tensors keep their bytes as
 * `externalBytes` (views into `data`), so the result reads like a resolved model.
 */
export function writeExternalData(
  model: ModelProto,
  fileName: string,
  thresholdBytes = 1024,
  options: ExternalDataOptions = {},
): ExternalDataResult {
  const alignment = options.alignment ?? 4096;
  if (!Number.isSafeInteger(alignment) || alignment < 1) throw new RangeError(`alignment ${alignment} must be a positive integer`);
  if (!fileName || /^([/\\]|[A-Za-z]:)/.test(fileName) || fileName.split(/[/\\]/).includes('..')) {
    throw new CastawayError('unsupported', `External data file name '${fileName}' must be a relative path inside the model's folder`);
  }
  const placed: { tensor: TensorProto; bytes: Uint8Array; offset: number }[] = [];
  let size = 0;
  const out = mapTensors(model, (tensor, where, site) => {
    const wasExternal = tensor.dataLocation === EXTERNAL;
    if (!wasExternal && site.kind !== 'initializer' && !(site.kind === 'attribute' && options.includeAttributes)) return tensor;
    const bytes = tensorBytes(tensor);
    if (bytes === undefined) {
      if (wasExternal) {
        throw new CastawayError('missing-external-data', `Tensor '${tensor.name ?? ''}' is external but its data was not resolved (resolveExternalData)`, where);
      }
      return tensor;
    }
    if (!wasExternal && bytes.length < thresholdBytes) return tensor;
    const offset = Math.ceil(size / alignment) * alignment;
    size = offset + bytes.length;
    const { rawData: _r, floatData: _f, int32Data: _i, int64Data: _l, doubleData: _d, uint64Data: _u, externalBytes: _e, externalData: _x, ...rest } = tensor;
    const moved: TensorProto = {
      ...rest,
      externalData: [
        entry('location', fileName),
        entry('offset', String(offset)),
        entry('length', String(bytes.length)),
      ],
      dataLocation: EXTERNAL,
    };
    placed.push({ tensor: moved, bytes, offset });
    return moved;
  });
  if (options.pieces) {
    const pieces: Uint8Array[] = [];
    let at = 0;
    for (const { tensor, bytes, offset } of placed) {
      if (offset > at) pieces.push(new Uint8Array(offset - at)); // alignment padding, zeros as in `data`
      pieces.push(bytes);
      at = offset + bytes.length;
      tensor.externalBytes = bytes;
    }
    return { model: out, data: new Uint8Array(0), pieces };
  }
  let data: Uint8Array;
  try {
    data = new Uint8Array(size);
  } catch {
    throw new CastawayError('unsupported', `The external data would be ${size} bytes, more than one array can hold here`);
  }
  for (const { tensor, bytes, offset } of placed) {
    data.set(bytes, offset);
    tensor.externalBytes = data.subarray(offset, offset + bytes.length);
  }
  return { model: out, data };
}

function entry(key: string, value: string): StringStringEntryProto {
  return { key, value };
}

// ---------------------------------------------------------------------------------------------------------

function int64Value(value: Int64): number | undefined {
  const n = toNumber(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

function int64Bits(value: Int64): [number, number] {
  if (typeof value === 'number') {
    return [value >>> 0, Math.floor(value / 0x100000000) >>> 0];
  }
  return [value.low >>> 0, value.high >>> 0];
}

function formatDims(dims: Int64[] | undefined): string {
  return `[${(dims ?? []).map((d) => (typeof d === 'number' ? String(d) : d.toString())).join(', ')}]`;
}

function tensorWhere(tensor: TensorProto): string {
  return `tensor '${tensor.name ?? ''}'`;
}
