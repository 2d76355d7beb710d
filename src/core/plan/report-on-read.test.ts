// The report's per-node lists and FLOP share are computed when first read (report.ts computedOnRead): a
// read after later plans of the same model must give what a read right away gives, and the report must
// look like a plain object (keys in order, JSON, spreads).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convertModel, openModel, planModel } from '../engine';
import { PRESETS } from '../recipe';

const LAZY = ['fp16FlopShare', 'nodePrecision', 'nodeReasons', 'fp32ComputeNodes'] as const;
const bytes = new Uint8Array(readFileSync(new URL('../../../fixtures/models/bert-tiny-o14.onnx', import.meta.url)));
const [nothingBlocked, ortDefault] = [PRESETS[0].recipe, PRESETS[1].recipe];
/** Every field read, the plan's time left out (it differs run to run). */
const json = (report: object) => JSON.stringify({ ...report, planMillis: 0 });

describe('plan report fields computed on read', () => {
  it('are not computed by a convert that never reads them', () => {
    const { report } = convertModel(openModel(bytes), ortDefault, { valueInfo: false });
    for (const key of LAZY) expect(Object.getOwnPropertyDescriptor(report, key)?.get, key).toBeTypeOf('function');
    void report.nodeReasons;
    expect(Object.getOwnPropertyDescriptor(report, 'nodeReasons')).toMatchObject({ writable: true, enumerable: true });
  });

  it('give the same values read late, after other plans, as read at once', () => {
    const model = openModel(bytes);
    const early = json(planModel(model, ortDefault)); // every field read now
    const late = planModel(model, ortDefault);
    const other = planModel(model, nothingBlocked);
    expect(json(other)).not.toBe(early); // the plans differ, so a shared outcome would show
    expect(json(late)).toBe(early);
    expect(late.nodePrecision.length).toBeGreaterThan(0);
    expect(late.fp16FlopShare).toBeGreaterThan(0);
  });

  it('keep their place among the keys and survive a spread and a clone', () => {
    const model = openModel(bytes);
    const report = planModel(model, ortDefault);
    const keys = Object.keys(report);
    expect(keys.indexOf('fp16FlopShare')).toBe(keys.indexOf('fp16WeightShare') + 1);
    const copy = structuredClone({ ...report });
    expect(Object.keys(copy)).toEqual(keys);
    expect(copy.nodeReasons).toEqual(report.nodeReasons);
    report.fp16FlopShare = 0.5; // still a writable field
    expect(report.fp16FlopShare).toBe(0.5);
  });
});
