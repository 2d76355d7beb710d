import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildKernelTable, EP_KERNELS_FILE, generateEpKernelsFile, SHARED_SOURCE, parseKernelJson, parseOperatorKernels, parseWebGpuOperators } from './gen-ep-kernels';

const KERNELS_MD = [
  '## Operators implemented by CUDAExecutionProvider',
  '',
  '| Op Name | Parameters | OpSet Version | Types Supported |',
  '|---------|------------|---------------|-----------------|',
  '|**Operator Domain:** *ai.onnx*||||',
  '|Clip|*in* input:**T**<br> *out* output:**T**|13+|**T** = tensor(bfloat16), tensor(double), tensor(float), tensor(float16)|',
  '|||12|**T** = tensor(float), tensor(float16)|',
  '|||[6, 10]|**T** = tensor(float)|',
  '| |',
  '|**Operator Domain:** *com.microsoft*||||',
  '|GroupNorm||1+|**M** = tensor(float16)<br/> **T** = tensor(float), tensor(float16)|',
  '## Operators implemented by DmlExecutionProvider',
  '|**Operator Domain:** *ai.onnx*||||',
  '|Abs|*in* X:**T**<br> *out* Y:**T**|13+|**T** = tensor(float), tensor(float16)|',
  '|||6+|**T** = tensor(float)|',
].join('\n');

describe('gen-ep-kernels', () => {
  it('the committed table is what its source generates', () => {
    // Compared with the source the committed table names, so that shared/data/ort-ep-kernels.json appearing
    // does not fail unrelated work; regenerating then switches the table to it.
    const committed = readFileSync(EP_KERNELS_FILE, 'utf8');
    expect(committed).toBe(generateEpKernelsFile(committed.includes(JSON.stringify(SHARED_SOURCE))).text);
  });

  it('parses OperatorKernels.md rows, domains and float16 and bfloat16 parameters', () => {
    const rows = parseOperatorKernels(KERNELS_MD);
    expect(rows.map((r) => r.bfloat16Params)).toEqual(['T', '', '', '', '', '']);
    expect(rows.map((r) => [r.ep, r.domain, r.op, r.start, r.end, r.float16Params])).toEqual([
      ['cuda', '', 'Clip', 13, undefined, 'T'],
      ['cuda', '', 'Clip', 12, 12, 'T'],
      ['cuda', '', 'Clip', 6, 10, ''],
      ['cuda', 'com.microsoft', 'GroupNorm', 1, undefined, 'M,T'],
      ['dml', '', 'Abs', 13, undefined, 'T'],
      ['dml', '', 'Abs', 6, undefined, ''],
    ]);
    const table = buildKernelTable(rows);
    expect(table.dml[''].Abs).toEqual([[6, 12, '', ''], [13, 0, 'T', '']]);
    expect(table.cuda[''].Clip).toEqual([[6, 10, '', ''], [12, 12, 'T', ''], [13, 0, 'T', 'T']]);
  });

  it('parses the WebGPU list, whose types are unknown', () => {
    const rows = parseWebGpuOperators('| Operator | Opset | Comments |\n|:--:|:--:|--|\n| Conv | ai.onnx(1-10,11+); com.ms.internal.nhwc(11+) | note |\n');
    expect(rows.map((r) => [r.domain, r.op, r.start, r.end, r.float16Params, r.bfloat16Params])).toEqual([
      ['', 'Conv', 1, 10, '*', ''],
      ['', 'Conv', 11, undefined, '*', ''],
      ['com.ms.internal.nhwc', 'Conv', 11, undefined, '*', ''],
    ]);
  });

  it('reads a JSON source in either supported shape', () => {
    const flat = parseKernelJson([
      { provider: 'CUDAExecutionProvider', domain: 'ai.onnx', op: 'CumSum', version_range: [14, 2147483647], type_constraints: { T: ['tensor(bfloat16)', 'tensor(float)', 'tensor(float16)'] } },
      { provider: 'SomeOtherExecutionProvider', domain: '', op: 'X', since_version: 1 },
    ]);
    expect(flat.map((r) => [r.ep, r.domain, r.op, r.start, r.end, r.float16Params, r.bfloat16Params])).toEqual([['cuda', '', 'CumSum', 14, undefined, 'T', 'T']]);
    const nested = parseKernelJson({ CPUExecutionProvider: { 'ai.onnx': { MatMul: [{ start: 13, types: { T: ['tensor(float)'] } }] } } });
    expect(nested.map((r) => [r.ep, r.op, r.start, r.float16Params])).toEqual([['cpu', 'MatMul', 13, '']]);
  });
});
