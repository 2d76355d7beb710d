// Issue 10 #6: models onnx.checker refuses are refused with exit 3 and the name (duplicate initializers, ops
// from a domain the model does not import), and recipe entries that match nothing are warned about.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main } from './main';
import { encodeModel } from '../core/index';
import { DataType } from '../core/index';
import { buildModel, floatTensor, node, valueInfo } from '../core/index';

const dir = mkdtempSync(join(tmpdir(), 'castaway-strict-'));

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, (s) => (stdout += s), (s) => (stderr += s));
  return { code, stdout, stderr };
}

function write(name: string, spec: Parameters<typeof buildModel>[0]): string {
  const file = join(dir, name);
  writeFileSync(file, encodeModel(buildModel(spec)));
  return file;
}

const io = { inputs: [valueInfo('x', DataType.FLOAT, [4])], outputs: [valueInfo('y', DataType.FLOAT, [4])] };

describe('castaway: models onnx.checker refuses, and recipes that match nothing', () => {
  it('exits 3 naming a duplicate initializer', async () => {
    const file = write('dup.onnx', {
      ...io,
      initializers: [floatTensor('w', [4], [1, 2, 3, 4]), floatTensor('w', [4], [5, 6, 7, 8])],
      nodes: [node('Add', ['x', 'w'], ['y'])],
    });
    const r = await run('inspect', file);
    expect(r.code).toBe(EXIT.badModel);
    expect(r.stderr).toMatch(/Initializer "w" is defined twice/);
  });

  it('exits 3 naming a node whose domain is not imported', async () => {
    const file = write('domain.onnx', { ...io, nodes: [node('Gelu', ['x'], ['y'], { name: 'act', domain: 'com.example' })] });
    const r = await run('convert', file, '-o', join(dir, 'domain.fp16.onnx'));
    expect(r.code).toBe(EXIT.badModel);
    expect(r.stderr).toMatch(/Node "act" \(Gelu\) is in domain "com.example", which the model does not import/);
  });

  it('warns about block-list entries and rules that match nothing, and still converts', async () => {
    const file = write('ok.onnx', { ...io, nodes: [node('Relu', ['x'], ['h'], { name: '/enc/relu' }), node('Sigmoid', ['h'], ['y'], { name: '/enc/sig' })] });
    const r = await run(
      'convert', file, '-o', join(dir, 'ok.fp16.onnx'), '-q',
      '--op-block-list', 'Sigmoid,Sofmax,TopK', '--node-block-list', '/enc/relu,/enc/rleu', '--pattern', '/dec/', '--pattern', '*sig',
    );
    expect(r.code).toBe(EXIT.ok);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning'));
    expect(warnings).toEqual([
      'castaway: warning: op block list entry "Sofmax" is an op type this model does not have',
      'castaway: warning: node block list entry "/enc/rleu" names no node of this model',
      'castaway: warning: pattern "/dec/" matches no node name of this model',
    ]);
  });
});
