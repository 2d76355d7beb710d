// decodeModel's visitTensor: a caller's per-tensor work (the CLI's external data reads) done in the walk
// that checks every tensor, instead of a walk of its own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../serde';
import { siteWhere, visitTensors } from '../external-data';

describe('decodeModel visitTensor', () => {
  it('sees every tensor, bodies included, in visitTensors order and with its site', () => {
    for (const file of ['fixtures/subgraphs/silero-vad-v5.onnx', 'fixtures/models/bert-tiny-o14.onnx']) {
      const bytes = new Uint8Array(readFileSync(new URL(`../../../${file}`, import.meta.url)));
      const seen: string[] = [];
      const model = decodeModel(bytes, { visitTensor: (tensor, site) => seen.push(siteWhere(tensor, site)) });
      const expected: string[] = [];
      visitTensors(model, (tensor, site) => expected.push(siteWhere(tensor, site)));
      expect(seen.length).toBeGreaterThan(10);
      expect(seen).toEqual(expected);
    }
  });
});
