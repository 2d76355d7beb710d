import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildSchemaTable, generateSchemaTableFile, SCHEMA_TABLE_FILE } from './gen-type-tables';
import { ortOnnxDomainSchemas } from './ort-onnx-domain-schemas';

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

describe('ortOnnxDomainSchemas', () => {
  // Rows as scripts/gen-ep-kernels.ts parses them from onnxruntime's OperatorKernels.md.
  const params = '*in* X:**T**<br> *in* Scale:**T**<br> *out* Y:**T**<br> *out* Mean:**U**<br><br>or<br><br>*in* X:**T**<br> *in* Scale:**V**<br> *out* Y:**V**<br> *out* Mean:**U**';
  const row = (ep: 'cpu' | 'cuda', op: string, start: number, types: string, parameters = params) =>
    ({ ep, domain: '', op, start, end: undefined, float16Params: '', bfloat16Params: '', parameters, types });

  it('types the ai.onnx rows that start before onnx\'s first schema, with the types every provider accepts', () => {
    const rows = [
      row('cpu', 'LayerNormalization', 17, '**T** = tensor(float), tensor(float16)<br/> **U** = tensor(float)'),
      row('cpu', 'LayerNormalization', 1, '**T** = tensor(double), tensor(float), tensor(float16)<br/> **U** = tensor(double), tensor(float), tensor(float16)<br/> **V** = tensor(float), tensor(float16)'),
      row('cuda', 'LayerNormalization', 1, '**T** = tensor(bfloat16), tensor(float), tensor(float16)<br/> **U** = tensor(double), tensor(float)<br/> **V** = tensor(float), tensor(float16)'),
      row('cpu', 'Relu', 6, '**T** = tensor(float)', '*in* X:**T**<br> *out* Y:**T**'),
      row('cpu', 'Scale', 1, '**T** = tensor(float)', '*in* input:**T**<br> *out* output:**T**'),
      row('cuda', 'GroupNorm', 21, '**T** = tensor(float)', ''),
    ];
    const schemas = ortOnnxDomainSchemas(rows, new Map([['LayerNormalization', 17], ['Relu', 1]]));
    expect(schemas.map((s) => [s.name, s.since_version])).toEqual([['LayerNormalization', 1], ['Scale', 1]]);
    const [ln] = schemas;
    expect(ln.inputs.map((f) => `${f.name}:${f.type_str}`)).toEqual(['X:T', 'Scale:V']); // the alternative with V
    expect(ln.outputs.map((f) => `${f.name}:${f.type_str}`)).toEqual(['Y:V', 'Mean:U']);
    expect(ln.type_constraints).toEqual([
      { param: 'T', allowed: ['tensor(float)', 'tensor(float16)'] },
      { param: 'U', allowed: ['tensor(double)', 'tensor(float)'] },
      { param: 'V', allowed: ['tensor(float)', 'tensor(float16)'] },
    ]);
  });
});
