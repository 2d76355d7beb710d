// Short ASCII strings are made once per decode (short-strings.ts): a name read again is the string already
// made. Strings compare by value, so the sharing is seen through the table's count of reuses and through the
// heap a decoded model keeps; the values themselves must be exactly those of a fresh decode of each string.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeMessage, decodeModel, encodeMessage, encodeModel } from '../serde';
import { DataType } from '../onnx/proto-types';
import { buildModel, node, valueInfo } from '../testing/build-model';
import { ShortStrings } from './short-strings';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('ShortStrings', () => {
  it('returns a string read before from the table, and the right string on every read', () => {
    const strings = new ShortStrings(ascii('xx/h.0/attn/Add_3_output_0xx/h.0/attn/Add_3_output_0'));
    expect(strings.read(2, 24)).toBe('/h.0/attn/Add_3_output_0');
    expect(strings.reused).toBe(0);
    expect(strings.read(28, 24)).toBe('/h.0/attn/Add_3_output_0');
    expect(strings.reused).toBe(1);
    expect(strings.read(0, 0)).toBe('');
    expect(strings.read(0, 0)).toBe('');
    expect(strings.read(2, 1)).toBe('/');
    expect(strings.read(0, 3)).toBe('xx/');
    expect(strings.read(26, 3)).toBe('xx/');
  });

  it('tells apart names that differ only in bytes the slot is not made of, in either order', () => {
    // same length, same first, last and inner sampled bytes: one slot, so the second replaces the first
    // (they differ inside a four-byte step: h.0/ against h.1/); c differs near its end, in another slot
    const a = '/h.0/attn/Add_3_output_0_';
    const b = '/h.1/attn/Add_3_output_0_';
    const c = '/h.1/attn/Add_3_output_1_';
    const order = [a, b, a, a, b, c, b, c];
    const strings = new ShortStrings(ascii(order.join('')));
    let at = 0;
    for (const s of order) {
      expect(strings.read(at, s.length)).toBe(s);
      at += s.length;
    }
    expect(strings.reused).toBe(3); // a after a, b after c, c after b
  });

  it('leaves bytes that are not ASCII to the caller, also where an ASCII string of that slot is known', () => {
    const utf8 = ascii('naé_a'); // 6 bytes, the same ends as 'name_a'
    expect(utf8.length).toBe(6);
    const strings = new ShortStrings(new Uint8Array([...ascii('name_a'), ...utf8, 0x6e, 0xff, 0x61]));
    expect(strings.read(0, 6)).toBe('name_a');
    expect(strings.read(6, 6)).toBeUndefined();
    expect(strings.read(12, 3)).toBeUndefined();
  });
});

describe('decoded names', () => {
  it('are exactly the strings written, UTF-8 and invalid UTF-8 included', () => {
    const names = ['x', 'x', '', 'naïve', '名前', 'a'.repeat(64), 'b'.repeat(65), 'naïve', 'x'];
    const decoded = decodeMessage('NodeProto', encodeMessage('NodeProto', { input: names, opType: 'Add' }));
    expect(decoded.input).toEqual(names);
    // invalid UTF-8 is read lossily, as before: U+FFFD for the bad byte
    const bytes = encodeMessage('NodeProto', { opType: 'Abc' });
    const i = bytes.indexOf(0x62);
    const bad = bytes.slice();
    bad[i] = 0xff;
    expect(decodeMessage('NodeProto', bad).opType).toBe('A\ufffdc');
  });

  // a chain of nodes each reading the 39-character name the one before wrote: one string per name kept, not
  // two (a string of 39 ASCII characters is about 56 bytes of heap)
  const NODES = 20_000;
  const name = (i: number): string => `/transformer/h.${String(i).padStart(6, '0')}/attn/Add_output_0`;
  const bytes = encodeModel(buildModel({
    inputs: [valueInfo(name(0), DataType.FLOAT, [1])],
    outputs: [valueInfo(name(NODES), DataType.FLOAT, [1])],
    nodes: Array.from({ length: NODES }, (_, i) => node('Relu', [name(i)], [name(i + 1)])),
  }));

  it('keep one string per name a node writes and the next reads: about 270 bytes of heap per node, not 350', () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const model = decodeModel(bytes);
    gc();
    const perNode = (process.memoryUsage().heapUsed - before) / NODES;
    expect(model.graph!.node![7].input).toEqual([name(7)]);
    expect(model.graph!.node![7].output).toEqual([name(8)]);
    expect(perNode).toBeLessThan(310);
  });
});
