// Decoded repeated fields of up to four values are arrays of exactly their length (decode.ts EXACT_UP_TO):
// a pushed-onto short array keeps 17+ slots, and a 44k-node model's input, output and attribute lists
// survive the whole run. Measured as the heap a decoded model keeps per node, with a full collection before
// and after (gc from a fresh context once --expose-gc is set at run time).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../serde';
import { DataType } from '../onnx/proto-types';
import { attr, buildModel, node, valueInfo } from '../testing/build-model';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NODES = 20_000;
// a chain of Adds (two inputs, one output, two int attributes): names short, so the lists dominate
const bytes = encodeModel(buildModel({
  inputs: [valueInfo('x', DataType.FLOAT, [1])],
  outputs: [valueInfo(`v${NODES}`, DataType.FLOAT, [1])],
  nodes: Array.from({ length: NODES }, (_, i) => node('Add', [i ? `v${i}` : 'x', 'x'], [`v${i + 1}`], { attributes: [attr.int('a', 1), attr.int('b', 2)] })),
}));

describe('decoded short repeated fields', () => {
  it('hold their values in exact-length arrays', () => {
    const model = decodeModel(bytes);
    const n = model.graph!.node![5];
    expect(n.input).toEqual(['v5', 'x']);
    expect(n.output).toEqual(['v6']);
    expect(n.attribute!.map((a) => a.name)).toEqual(['a', 'b']);
  });

  it('keep about 600 bytes of heap per two-input node, not about 870 (each list with 17 slots)', () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const model = decodeModel(bytes);
    gc();
    const perNode = (process.memoryUsage().heapUsed - before) / NODES;
    expect(model.graph!.node!.length).toBe(NODES);
    expect(perNode).toBeLessThan(730);
  });
});
