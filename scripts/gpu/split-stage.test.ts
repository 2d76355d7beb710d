// split-stage.sh re-cuts make-stage.sh's seven parts (node, onnxruntime-node, the CUDA EP in five pieces) into
// parts small enough to travel beside the project's tree, and restage.sh puts them back together on the GPU
// machine, one device call per part: node must be whole as soon as the first parts are there (castaway convert
// starts early), and every file must come out byte for byte, whatever order the parts arrive in.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SPLIT = fileURLToPath(new URL('./split-stage.sh', import.meta.url));
const tools = ['xz', 'tar', 'split', 'bash'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);

function sh(cmd: string, cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', ['-c', cmd], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
}

// deterministic bytes that xz cannot shrink much, so that the parts are of a real size
function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe.runIf(tools)('split-stage.sh + restage.sh', () => {
  it('every part in turn; node whole after the parts that hold it, everything byte for byte at the end', () => {
    const root = mkdtempSync(join(tmpdir(), 'castaway-stage-'));
    const node = noise(30_000, 1), ep = noise(50_000, 2), binding = noise(3_000, 3);
    // a stage as make-stage.sh lays it out
    for (const p of [0, 1, 2, 3, 4, 5, 6]) mkdirSync(join(root, `.gpu-stage/p${p}`), { recursive: true });
    writeFileSync(join(root, 'node.bin'), node);
    writeFileSync(join(root, 'cuda.so'), ep);
    const x64 = join(root, 'ortn/onnxruntime-node/bin/napi-v6/linux/x64');
    mkdirSync(x64, { recursive: true });
    mkdirSync(join(root, 'ortn/onnxruntime-common'));
    writeFileSync(join(x64, 'onnxruntime_binding.node'), binding);
    writeFileSync(join(root, '.gpu-stage/p0/env.sh'), 'export NODE_PATH=/tmp/gpu/node_modules\n');
    sh(`xz -0 -c node.bin > .gpu-stage/p6/node.xz && (cd ortn && tar cf - onnxruntime-node onnxruntime-common) | xz -0 > .gpu-stage/p0/ortn.tar.xz
        xz -0 -c cuda.so > cuda.xz && split -n 5 -d cuda.xz cudapart. && for i in 0 1 2 3 4; do mv cudapart.0$i .gpu-stage/p$((i+1))/; done`, root);

    sh(`bash ${SPLIT} out 8k`, root);
    const parts = readdirSync(join(root, 'out')).sort();
    expect(parts.length).toBeGreaterThan(5);
    const gpu = join(root, 'gpu');
    const nodeEnd = readFileSync(join(root, '.gpu-stage/p6/node.xz')).length;
    // the second part first (nothing is whole: part 0 missing), then in order
    const order = [1, 0, ...parts.map((_, i) => i).slice(2)];
    for (const [n, i] of order.entries()) {
      const said = sh(`bash out/q${i}/restage.sh`, root, { CW_GPU_ROOT: gpu });
      const have = n === 0 ? 0 : n + 1; // parts 0..n present after the call that brought part n
      expect(said).toContain(`part ${i}: ${have} of ${parts.length} parts in order`);
      expect(said).toContain(have * 8192 >= nodeEnd ? 'node ready' : 'node missing');
      expect(said).toContain(n === order.length - 1 ? 'CUDA EP ready' : 'CUDA EP missing');
    }
    expect(readFileSync(join(gpu, 'bin/node')).equals(node)).toBe(true);
    const out = join(gpu, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
    expect(readFileSync(join(out, 'libonnxruntime_providers_cuda.so')).equals(ep)).toBe(true);
    expect(readFileSync(join(out, 'onnxruntime_binding.node')).equals(binding)).toBe(true);
    expect(readFileSync(join(gpu, 'env.sh'), 'utf8')).toContain('NODE_PATH');
  });
});
