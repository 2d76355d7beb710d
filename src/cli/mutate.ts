// Seeded mutations of ONNX model bytes for the always-on robustness test: bit flips, truncations, and field
// edits at the protobuf level (two fields swapped, a field's number changed, a field dropped or repeated) in
// the model and in its main graph, so the decoder sees structurally plausible but wrong models, not only noise.

/** A small deterministic generator (mulberry32), so a failing case is reproduced from its seed. */
export function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

interface Field {
  number: number;
  wire: number;
  /** The payload bytes of a length-delimited field, else the bytes after the key. */
  body: Uint8Array;
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** The top-level fields of a message, or undefined when the bytes are not one. */
function split(bytes: Uint8Array): Field[] | undefined {
  const fields: Field[] = [];
  let p = 0;
  const read = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (p >= bytes.length) return undefined;
      const b = bytes[p++];
      if (shift < 49) v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
    return undefined;
  };
  while (p < bytes.length) {
    const key = read();
    if (key === undefined) return undefined;
    const wire = key % 8;
    const number = Math.floor(key / 8);
    const start = p;
    if (wire === 0) {
      if (read() === undefined) return undefined;
    } else if (wire === 1 || wire === 5) p += wire === 1 ? 8 : 4;
    else if (wire === 2) {
      const len = read();
      if (len === undefined || len > bytes.length - p) return undefined;
      fields.push({ number, wire, body: bytes.subarray(p, p + len) });
      p += len;
      continue;
    } else return undefined;
    if (p > bytes.length) return undefined;
    fields.push({ number, wire, body: bytes.subarray(start, p) });
  }
  return fields;
}

function join(fields: readonly Field[]): Uint8Array {
  const parts: number[][] = [];
  const bodies: Uint8Array[] = [];
  let len = 0;
  for (const f of fields) {
    const head = varint(f.number * 8 + f.wire);
    if (f.wire === 2) head.push(...varint(f.body.length));
    parts.push(head);
    bodies.push(f.body);
    len += head.length + f.body.length;
  }
  const out = new Uint8Array(len);
  let o = 0;
  fields.forEach((_, i) => {
    out.set(parts[i], o);
    o += parts[i].length;
    out.set(bodies[i], o);
    o += bodies[i].length;
  });
  return out;
}

/** One field edit on a list of fields: swap, renumber, drop or repeat. */
function editFields(fields: Field[], r: (n: number) => number): string {
  if (fields.length === 0) return 'no fields';
  const i = r(fields.length);
  const j = r(fields.length);
  switch (r(4)) {
    case 0:
      [fields[i], fields[j]] = [fields[j], fields[i]];
      return `swap fields ${i} and ${j}`;
    case 1: {
      // same wire type, another field number: a value read as the wrong field
      const number = 1 + r(26);
      fields[i] = { ...fields[i], number };
      return `field ${i} renumbered ${number}`;
    }
    case 2:
      fields.splice(i, 1);
      return `drop field ${i}`;
    default:
      fields.splice(j, 0, fields[i]);
      return `repeat field ${i} at ${j}`;
  }
}

export interface Mutant {
  bytes: Uint8Array;
  what: string;
}

/** A mutation of `model` chosen by `r`. */
export function mutate(model: Uint8Array, r: (n: number) => number): Mutant {
  const kind = r(5);
  if (kind === 0 || kind === 1) {
    const out = model.slice();
    const flips = 1 + r(8);
    for (let k = 0; k < flips; k++) out[r(out.length)] ^= 1 << r(8);
    return { bytes: out, what: `${flips} bit flips` };
  }
  if (kind === 2) {
    const at = r(model.length);
    return { bytes: model.slice(0, at), what: `truncated at ${at}` };
  }
  const fields = split(model)!;
  if (kind === 3) return { what: `model: ${editFields(fields, r)}`, bytes: join(fields) };
  // the main graph (ModelProto field 7)
  const g = fields.findIndex((f) => f.number === 7 && f.wire === 2);
  const graph = g >= 0 ? split(fields[g].body) : undefined;
  if (!graph) return { what: `model: ${editFields(fields, r)}`, bytes: join(fields) };
  const what = `graph: ${editFields(graph, r)}`;
  fields[g] = { ...fields[g], body: join(graph) };
  return { bytes: join(fields), what };
}
