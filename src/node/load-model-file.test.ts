import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CastawayError } from '../core/index';
import { tensorBytes, writeExternalData } from '../core/index';
import type { ModelProto } from '../core/index';
import { encodeModel } from '../core/index';
import { buildModel, floatTensor } from '../core/index';
import { loadModelFile, readFileShared, resolveInside } from './load-model-file';

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
    expect(tensorBytes(loaded.model.graph!.initializer![0])).toEqual(tensorBytes(model().graph!.initializer![0]));
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

/** A one-tensor model whose tensor `w` (float32 [6], 24 bytes) lives at `offset` of `location`. */
function externalModel(dir: string, location: string, offset = 0): string {
  const { model: written } = writeExternalData(buildModel({ initializers: [floatTensor('w', [6], [1, 2, 3, 4, 5, 6])] }), 'placeholder.bin', 16);
  const tensor = written.graph!.initializer![0];
  tensor.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: String(offset) },
    { key: 'length', value: '24' },
  ];
  const file = join(dir, 'm.onnx');
  writeFileSync(file, encodeModel(written));
  return file;
}

describe('loadModelFile: hostile external data (issue 10 #4)', () => {
  it('refuses a symlink in the model folder that points outside it', () => {
    const dir = join(root, 'link');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(root, 'outside.bin'), new Uint8Array(24).fill(7));
    symlinkSync(join(root, 'outside.bin'), join(dir, 'w.bin'));
    expect(codeOf(() => loadModelFile(externalModel(dir, 'w.bin')))).toBe('unsupported');
    // a link that stays inside the folder is fine
    writeFileSync(join(dir, 'real.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer));
    symlinkSync('real.bin', join(dir, 'inside.bin'));
    const loaded = loadModelFile(externalModel(dir, 'inside.bin'));
    expect([...new Float32Array(tensorBytes(loaded.model.graph!.initializer![0])!.slice().buffer)]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('refuses a FIFO as the data file instead of blocking', () => {
    const dir = join(root, 'fifo');
    mkdirSync(dir, { recursive: true });
    execFileSync('mkfifo', [join(dir, 'w.bin')]);
    const t0 = performance.now();
    expect(codeOf(() => loadModelFile(externalModel(dir, 'w.bin')))).toBe('unsupported');
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('reads only the 24 bytes a tensor names from a 3 GB sparse file', () => {
    const dir = join(root, 'sparse');
    mkdirSync(dir, { recursive: true });
    const size = 3 * 2 ** 30;
    const fd = openSync(join(dir, 'w.bin'), 'w');
    ftruncateSync(fd, size);
    writeSync(fd, new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer), 0, 24, size - 24);
    closeSync(fd);
    const before = process.memoryUsage();
    const t0 = performance.now();
    const loaded = loadModelFile(externalModel(dir, 'w.bin', size - 24));
    const ms = performance.now() - t0;
    const after = process.memoryUsage();
    expect([...new Float32Array(tensorBytes(loaded.model.graph!.initializer![0])!.slice().buffer)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ms).toBeLessThan(2000);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(256 * 2 ** 20);
  });
});

describe('readFileShared (the CLI reads large models by several threads at once)', () => {
  it('gives the file\'s bytes in a SharedArrayBuffer, whatever the range size and concurrency, and loads the same model', async () => {
    const dir = join(root, 'shared');
    mkdirSync(dir);
    const path = join(dir, 'm.onnx');
    writeFileSync(path, encodeModel(model()));
    const want = readFileSync(path);
    for (const [concurrency, range] of [[4, 1000], [3, 4096], [1, 1 << 20], [8, 7]]) {
      const got = await readFileShared(path, concurrency, range);
      expect(got.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Buffer.compare(got, want)).toBe(0);
    }
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    expect((await readFileShared(empty)).length).toBe(0);
    const loaded = loadModelFile(path, { shared: true, bytes: await readFileShared(path, 4, 999) });
    expect(Array.from(new Float32Array(tensorBytes(loaded.model.graph!.initializer![0])!.slice().buffer))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    await expect(readFileShared(join(dir, 'missing.onnx'))).rejects.toThrow(/ENOENT/);
  });
});
