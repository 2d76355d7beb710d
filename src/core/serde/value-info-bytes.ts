// GraphProto.value_info entries of tensors written straight to bytes: the value_info pass adds one entry
// per value a node computes (44k on a 44k-node graph), each five nested messages and one per dim. Built as
// objects and sized and written by the generic encoder they were ~0.15-0.2 s of a cold convert; here they
// are two passes over flat lists. The bytes are what encodeMessage writes for the same entries
// ({ name, type: { tensorType: { elemType, shape: { dim: [{ dimValue } | { dimParam }] } } } }).
import { Encoder, utf8Length, varint64Size } from './encode';
import { Kind, varint32Size, type FieldCodec } from './schema';

/**
 * Value_info entries of tensors as columns (entry i: names[i], elemTypes[i], shapes[i]): no object per
 * entry for the value_info pass to make and the young generation to copy (44k on a 44k-node graph).
 */
export interface TensorValueInfos {
  names: string[];
  elemTypes: number[];
  /** Dims per entry: a size, a symbolic name, or undefined for an unknown dim (an empty Dimension); undefined: no shape. */
  shapes: (readonly (number | string | undefined)[] | undefined)[];
}

/** GraphProto.value_info is field 13, length-delimited. */
const VALUE_INFO_TAG = (13 << 3) | 2;
/** Tags inside: ValueInfoProto.name 1 and .type 2, TypeProto.tensor_type 1, Tensor.elem_type 1 (varint) and .shape 2, TensorShapeProto.dim 1, Dimension.dim_value 1 (varint) and .dim_param 2. */
const TAG_1_LEN = (1 << 3) | 2;
const TAG_2_LEN = (2 << 3) | 2;
const TAG_1_VARINT = 1 << 3;
/** For Encoder.int64's messages: dim_value is an int64. */
const DIM_VALUE: FieldCodec = { id: 1, name: 'dimValue', kind: Kind.Int64, wire: 0, repeated: false, packed: false, packable: false, tag: TAG_1_VARINT, tagSize: 1, message: undefined, oneofSiblings: undefined };

/**
 * The bytes of the entries as repeated GraphProto.value_info fields (tag, length, ValueInfoProto each), in
 * order: to be placed at field 13 of a GraphProto (withEncodedFields). Two passes: the first keeps only each
 * entry's shape size and name length (the other sizes follow from them, and a dim's from the dim).
 */
export function encodeTensorValueInfos(entries: TensorValueInfos): Uint8Array {
  const { names, elemTypes, shapes } = entries;
  const count = names.length;
  const e = new Encoder();
  // sizes of each entry's messages, innermost first, in the order the writer reads them back (inline
  // arithmetic, no helper calls: this runs once per value of a 44k-node graph, mostly before the JIT)
  const sizes: number[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const shape = shapes[i];
    let shapeSize = 0;
    if (shape) {
      for (let k = 0; k < shape.length; k++) {
        const d = shape[k];
        let dimSize: number;
        if (typeof d === 'number') {
          e.int64(d, DIM_VALUE);
          dimSize = 1 + varint64Size(e.lo, e.hi);
        } else if (d !== undefined) {
          const length = utf8Length(d);
          dimSize = 1 + varint32Size(length) + length;
        } else {
          dimSize = 0;
        }
        sizes.push(dimSize);
        shapeSize += 1 + varint32Size(dimSize) + dimSize;
      }
    }
    const elemType = elemTypes[i];
    const tensorSize = 1 + (elemType < 0 ? 10 : varint32Size(elemType)) + (shape ? 1 + varint32Size(shapeSize) + shapeSize : 0);
    const typeSize = 1 + varint32Size(tensorSize) + tensorSize;
    const nameLength = utf8Length(names[i]);
    const entrySize = 1 + varint32Size(nameLength) + nameLength + 1 + varint32Size(typeSize) + typeSize;
    sizes.push(shapeSize, tensorSize, typeSize, nameLength, entrySize);
    total += 1 + varint32Size(entrySize) + entrySize;
  }
  e.start(total);
  let next = 0;
  for (let i = 0; i < count; i++) {
    const shape = shapes[i];
    const elemType = elemTypes[i];
    const rank = shape ? shape.length : 0;
    const dimSizes = next;
    next += rank;
    const shapeSize = sizes[next++];
    const tensorSize = sizes[next++];
    const typeSize = sizes[next++];
    const nameLength = sizes[next++];
    const entrySize = sizes[next++];
    e.varint32(VALUE_INFO_TAG);
    e.varint32(entrySize);
    e.varint32(TAG_1_LEN); // name
    e.varint32(nameLength);
    e.utf8(names[i]);
    e.varint32(TAG_2_LEN); // type
    e.varint32(typeSize);
    e.varint32(TAG_1_LEN); // tensor_type
    e.varint32(tensorSize);
    e.varint32(TAG_1_VARINT); // elem_type
    if (elemType < 0) e.varint64(elemType >>> 0, 0xffffffff);
    else e.varint32(elemType);
    if (!shape) continue;
    e.varint32(TAG_2_LEN); // shape
    e.varint32(shapeSize);
    for (let k = 0; k < rank; k++) {
      const d = shape[k];
      e.varint32(TAG_1_LEN); // dim
      e.varint32(sizes[dimSizes + k]);
      if (typeof d === 'number') {
        e.varint32(TAG_1_VARINT); // dim_value
        e.int64(d, DIM_VALUE);
        e.varint64(e.lo, e.hi);
      } else if (d !== undefined) {
        e.varint32(TAG_2_LEN); // dim_param
        e.varint32(utf8Length(d));
        e.utf8(d);
      }
    }
  }
  return e.buf;
}
