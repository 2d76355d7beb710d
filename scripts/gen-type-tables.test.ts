import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchemaTable, generateSchemaTableFile, SCHEMA_TABLE_FILE } from './gen-type-tables';

describe('gen-type-tables', () => {
  it('the committed table is what the data generates', () => {
    expect(readFileSync(SCHEMA_TABLE_FILE, 'utf8')).toBe(generateSchemaTableFile());
  });

  it('encodes formals, fixed types, options and deduplicated type lists', () => {
    const formal = (name: string, type_str: string, option: 'Single' | 'Optional' | 'Variadic') => ({ name, type_str, option });
    const table = JSON.parse(
      buildSchemaTable([
        [
          {
            domain: 'ai.onnx', name: 'Resize', since_version: 13, deprecated: false,
            inputs: [formal('X', 'T1', 'Single'), formal('roi', 'T2', 'Optional'), formal('scales', 'tensor(float)', 'Optional')],
            outputs: [formal('Y', 'T1', 'Single')],
            type_constraints: [{ param: 'T2', allowed: ['tensor(float16)', 'tensor(float)'] }, { param: 'T1', allowed: ['tensor(float16)', 'tensor(float)'] }],
          },
          {
            domain: 'ai.onnx', name: 'If', since_version: 1, deprecated: false,
            inputs: [formal('cond', 'B', 'Single')], outputs: [formal('outputs', 'V', 'Variadic')],
            type_constraints: [{ param: 'B', allowed: ['tensor(bool)'] }, { param: 'V', allowed: ['seq(tensor(float))'] }],
          },
        ],
        [
          {
            domain: 'ai.onnx', name: 'Resize', since_version: 13, deprecated: true, inputs: [], outputs: [],
            type_constraints: [],
          },
        ],
      ]),
    );
    expect(table.lists).toEqual([[9], [-2001], [10, 1]]);
    expect(table.ops[''].Resize).toEqual([[13, ['X:T1', 'roi:T2?', 'scales:#1?'], ['Y:T1'], { T1: 2, T2: 2 }]]);
    expect(table.ops[''].If).toEqual([[1, ['cond:B'], ['outputs:V~'], { B: 0, V: 1 }]]);
  });
});
