// bin/castaway.mjs as `npx castaway` runs it: from a bundle it builds itself when missing or older than a source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMatMulModel } from '../../scripts/bench-cli';

const root = new URL('../..', import.meta.url).pathname;

describe('bin/castaway.mjs', () => {
  it('runs convert from the bundle in dist/cli, listing the sources it was built from', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'castaway-bin-')), 'out.onnx');
    const r = spawnSync(process.execPath, [join(root, 'bin', 'castaway.mjs'), 'convert', join(root, 'fixtures', 'models', 'bert-tiny-o14.onnx'), '-o', out, '-q'], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\d+ Casts/);
    expect(statSync(out).size).toBeGreaterThan(0);
    const bundle = join(root, 'dist', 'cli', 'castaway.cjs');
    expect(existsSync(bundle)).toBe(true);
    const inputs = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'inputs.json'), 'utf8')) as string[];
    expect(inputs).toContain('src/cli/main.ts');
    expect(inputs.some((p) => p.startsWith('src/core/'))).toBe(true);
  }, 60_000);

  it('compiles the bundle with a V8 code cache it writes once, and replaces a cache of another build', () => {
    const run = () => {
      const out = join(mkdtempSync(join(tmpdir(), 'castaway-bin-')), 'out.onnx');
      const r = spawnSync(process.execPath, [join(root, 'bin', 'castaway.mjs'), 'convert', join(root, 'fixtures', 'models', 'bert-tiny-o14.onnx'), '-o', out, '-q'], { encoding: 'utf8', cwd: root });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\d+ Casts/);
    };
    const bundle = join(root, 'dist', 'cli', 'castaway.cjs');
    const cache = `${bundle}.cache`;
    rmSync(cache, { force: true });
    // --help compiles little of the engine: no cache from it, or later converts would keep that one
    expect(spawnSync(process.execPath, [join(root, 'bin', 'castaway.mjs'), '--help'], { cwd: root }).status).toBe(0);
    expect(existsSync(cache)).toBe(false);
    run();
    expect(existsSync(cache)).toBe(true);
    // keyed by this Node and the bundle's size and mtime: V8 itself only checks the source's length
    const { size, mtimeMs } = statSync(bundle);
    const key = `castaway-code-cache ${process.version} ${size} ${mtimeMs}\n`;
    const written = readFileSync(cache);
    expect(written.subarray(0, key.length).toString()).toBe(key);
    expect(written.length).toBeGreaterThan(key.length + 100_000); // the compiled functions, not an empty cache
    run();
    expect(readFileSync(cache).equals(written)).toBe(true); // used as is, not rewritten
    // a cache of another build (a different key) is ignored and replaced; the run is unaffected
    writeFileSync(cache, Buffer.concat([Buffer.from(`castaway-code-cache ${process.version} ${size} 1\n`), written.subarray(key.length)]));
    run();
    expect(readFileSync(cache).subarray(0, key.length).toString()).toBe(key);
  }, 60_000);

  it('converts a large model over threads from the bundle\'s own worker script, to the same bytes as one thread', () => {
    const dir = mkdtempSync(join(tmpdir(), 'castaway-bin-threads-'));
    try {
      const input = join(dir, 'big.onnx');
      writeMatMulModel(input, 68 << 20); // over the CLI's 64 MiB threshold
      const convert = (threads: string) => spawnSync(process.execPath, [join(root, 'bin', 'castaway.mjs'), 'convert', input, '-o', join(dir, `${threads}.onnx`)], { encoding: 'utf8', cwd: root, env: { ...process.env, CASTAWAY_THREADS: threads } });
      const two = convert('2');
      expect(two.status).toBe(0);
      expect(two.stderr).toContain('fp16 weights over 2 threads');
      expect(existsSync(join(root, 'dist', 'cli', 'fp16-worker.cjs'))).toBe(true);
      const one = convert('1');
      expect(one.status).toBe(0);
      expect(one.stderr).not.toContain('fp16 weights over');
      expect(readFileSync(join(dir, '1.onnx')).equals(readFileSync(join(dir, '2.onnx')))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
