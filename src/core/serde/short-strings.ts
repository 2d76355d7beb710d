// The decoder's short ASCII strings, each made once: names nearly always are ASCII, and most are read more
// than once (every node input is some node's output; op types, domains and attribute names repeat on every
// node: on gpt2-deep200 211k string reads are 89k distinct strings). A name read again is the string already
// made: no String.fromCharCode over a scratch array, no second copy to keep and to copy out of the young
// generation, and its hash is already computed when the Maps by name that follow first meet it.

/** Slots of the table: a power of two, wide enough to hold a name from its writer to its readers. */
const SLOTS = 1 << 14;
/** The longest string looked up: longer ones go to TextDecoder, whose per-call cost then pays off. */
export const SHORT_STRING_MAX = 64;

/** One plain array per string length, reused to hand the codes to String.fromCharCode. */
const SCRATCH: number[][] = [];

export class ShortStrings {
  /** The last string made per slot; a slot's string is replaced by a colliding one (a cache, not a set). */
  private readonly table = new Array<string | undefined>(SLOTS).fill(undefined);
  /** Where in `buf` each slot's string was read: a hit compares those bytes with the new ones, four at a time. */
  private readonly starts = new Int32Array(SLOTS);
  private readonly view: DataView;
  /** How many reads returned a string made before. */
  reused = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /**
   * buf[start, start + length) as a string when every byte is ASCII, else undefined (the caller decodes it
   * as UTF-8). `length` is at most SHORT_STRING_MAX.
   */
  read(start: number, length: number): string | undefined {
    const buf = this.buf;
    const end = start + length;
    // the slot from the length and a few bytes (the ends, where names of one pattern differ, and two inner
    // ones), not all of them: a hit is then one pass, comparing, which also proves the bytes ASCII (the
    // known string is)
    let hash = length;
    if (length > 0) {
      hash = Math.imul(hash ^ buf[start], 0x01000193);
      hash = Math.imul(hash ^ buf[end - 1], 0x01000193);
      hash = Math.imul(hash ^ buf[start + (length >> 1)], 0x01000193);
      hash = Math.imul(hash ^ buf[start + (length >> 2)], 0x01000193);
      if (length > 1) hash = Math.imul(hash ^ buf[end - 2], 0x01000193);
      if (length > 2) hash = Math.imul(hash ^ buf[end - 3], 0x01000193);
    }
    const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
    const table = this.table;
    const known = table[slot];
    if (known !== undefined && known.length === length) {
      const from = this.starts[slot];
      const view = this.view;
      let i = 0;
      const whole = length - 3;
      while (i < whole && view.getInt32(from + i) === view.getInt32(start + i)) i += 4;
      if (i >= whole) while (i < length && buf[from + i] === buf[start + i]) i++;
      if (i === length) {
        this.reused++;
        return known;
      }
    }
    // the codes through a reused plain array of this length, not a subarray per string (a typed-array view
    // costs more to create than the short string itself)
    const codes = (SCRATCH[length] ??= new Array<number>(length).fill(0));
    for (let i = 0; i < length; i++) {
      const c = buf[start + i];
      if (c >= 0x80) return undefined;
      codes[i] = c;
    }
    const made = String.fromCharCode.apply(null, codes);
    table[slot] = made;
    this.starts[slot] = start;
    return made;
  }
}
