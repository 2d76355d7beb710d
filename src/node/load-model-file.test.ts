import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CastawayError } from '../core/index';
import { resolveExternalData, tensorBytes, writeExternalData } from '../core/index';
import type { ModelProto } from '../core/index';
import { encodeModel } from '../core/index';
import { buildModel, floatTensor } from '../core/index';
import { loadModelFile, resolveInside } from './load-model-file';

const root = mkdtempSync(join(tmpdir(), 'castaway-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const model = (): ModelProto => buildModel({ initializers: [floatTensor('w', [1000], Array.from({ length: 1000 }, (_, i) => i))] });

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CastawayError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('loadModelFile', () => {
  it('reads the model and the external data files it names', () => {
    const dir = join(root, 'ok');
    mkdirSync(join(dir, 'data'), { recursive: true });
    const { model: written, data } = writeExternalData(model(), 'data/weights.bin', 16);
    writeFileSync(join(dir, 'm.onnx'), encodeModel(written));
    writeFileSync(join(dir, 'data', 'weights.bin'), data);
    const loaded = loadModelFile(join(dir, 'm.onnx'));
    expect([...loaded.externalFiles.keys()]).toEqual(['data/weights.bin']);
    const resolved = resolveExternalData(loaded.model, loaded.externalFiles);
    expect(tensorBytes(resolved.graph!.initializer![0])).toEqual(tensorBytes(model().graph!.initializer![0]));
  });

  it('refuses locations outside the model folder and reports missing files', () => {
    const dir = join(root, 'bad');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'secret.bin'), new Uint8Array(4000));
    for (const [location, code] of [['../secret.bin', 'unsupported'], [join(root, 'secret.bin'), 'unsupported'], ['a/../../secret.bin', 'unsupported'], ['gone.bin', 'missing-external-data']]) {
      const { model: written } = writeExternalData(model(), 'placeholder.bin', 16);
      const tensor = written.graph!.initializer![0];
      tensor.externalData = tensor.externalData!.map((e) => (e.key === 'location' ? { key: 'location', value: location } : e));
      writeFileSync(join(dir, 'm.onnx'), encodeModel(written));
      expect(codeOf(() => loadModelFile(join(dir, 'm.onnx'))), location).toBe(code);
    }
  });

  it('resolveInside accepts plain relative paths only', () => {
    expect(resolveInside('/models/a', 'w.bin')).toBe('/models/a/w.bin');
    expect(resolveInside('/models/a', './sub/w.bin')).toBe('/models/a/sub/w.bin');
    for (const bad of ['', '..', '../a/w.bin', '/etc/passwd', 'C:\\x.bin', '\\\\server\\x', 'a/../../b', 'x\0y']) {
      expect(codeOf(() => resolveInside('/models/a', bad)), bad).toBe('unsupported');
    }
  });
});
