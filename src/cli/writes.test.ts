// Issue 10 #3: the CLI's writes never destroy data. -o (or <out>.data) equal to the input or one of its data
// files is refused without --force; a failed write leaves the previous output as it was and no temporary
// files; an empty data file does not replace an existing one.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, main } from './main';
import { decodeModel, encodeModel } from '../core/index';
import { DataType } from '../core/index';
import { buildModel, node, valueInfo } from '../core/index';

const fixture = new URL('../../fixtures/models/pegasus-small-o14-encoder.onnx', import.meta.url).pathname;

async function run(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, (s) => (stdout += s), (s) => (stderr += s));
  return { code, stdout, stderr };
}

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'castaway-writes-'));
}

const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

describe('castaway convert: writes that cannot destroy data', () => {
  it('refuses -o equal to the input unless --force', async () => {
    const dir = freshDir();
    const input = join(dir, 'm.onnx');
    writeFileSync(input, readFileSync(fixture));
    const r = await run('convert', input, '-o', input, '-q');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/is the input model.*--force/);
    expect(Buffer.compare(readFileSync(input), readFileSync(fixture))).toBe(0);
    // the same file under another name (./m.onnx) is the same file
    expect((await run('convert', input, '-o', join(dir, '.', 'm.onnx'), '-q')).code).toBe(EXIT.usage);
    const forced = await run('convert', input, '-o', input, '-q', '--force', '--keep-io-types');
    expect(forced.code).toBe(EXIT.ok);
    expect(decodeModel(new Uint8Array(readFileSync(input))).graph?.node?.some((n) => n.opType === 'Cast')).toBe(true);
    expect(temps(dir)).toEqual([]);
  });

  it("refuses an output whose data file is the input's data file", async () => {
    const dir = freshDir();
    expect((await run('convert', fixture, '-o', join(dir, 'b.onnx'), '--external-data', '-q')).code).toBe(0);
    renameSync(join(dir, 'b.onnx'), join(dir, 'a.onnx')); // a.onnx reads b.onnx.data
    const data = readFileSync(join(dir, 'b.onnx.data'));
    const r = await run('convert', join(dir, 'a.onnx'), '-o', join(dir, 'b.onnx'), '-q');
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/b\.onnx\.data is the input model's data file/);
    expect(Buffer.compare(readFileSync(join(dir, 'b.onnx.data')), data)).toBe(0);
    expect(existsSync(join(dir, 'b.onnx'))).toBe(false);
  });

  it('a failed write leaves the previous output whole and no temporary file', async () => {
    const dir = freshDir();
    const out = join(dir, 'out.onnx');
    writeFileSync(out, 'the previous output');
    mkdirSync(`${out}.data`); // the data file cannot be renamed over a folder: the write fails midway
    const r = await run('convert', fixture, '-o', out, '--external-data', '-q');
    expect(r.code).toBe(EXIT.io);
    expect(r.stderr).toMatch(/nothing was replaced/);
    expect(readFileSync(out, 'utf8')).toBe('the previous output');
    expect(temps(dir)).toEqual([]);
  });

  it('does not replace an existing data file with an empty one', async () => {
    const dir = freshDir();
    const small = join(dir, 'small.onnx');
    writeFileSync(
      small,
      encodeModel(
        buildModel({
          inputs: [valueInfo('x', DataType.FLOAT, [4])],
          outputs: [valueInfo('y', DataType.FLOAT, [4])],
          nodes: [node('Relu', ['x'], ['y'])],
        }),
      ),
    );
    const out = join(dir, 'out.onnx');
    writeFileSync(`${out}.data`, 'keep me');
    expect((await run('convert', small, '-o', out, '--external-data', '-q')).code).toBe(EXIT.ok);
    expect(readFileSync(`${out}.data`, 'utf8')).toBe('keep me');
  });
});
