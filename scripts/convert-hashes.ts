// `npx tsx scripts/convert-hashes.ts [> list]`: the sha256 of every fixture converted with every preset (with
// and without value_info, and with external data), one line each. A performance change to the engine must
// leave this list unchanged: write it before the change, diff it after.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RECIPE, PRESETS, convertModel, openModel } from '../src/core/index';

const root = fileURLToPath(new URL('..', import.meta.url));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);
for (const dir of ['fixtures/models', 'fixtures/subgraphs', 'fixtures/app']) {
  // CASTAWAY_HASH_ONLY=<regex>: only the fixtures whose file name matches (a quick check)
  const only = new RegExp(process.env.CASTAWAY_HASH_ONLY ?? '');
  for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith('.onnx') && only.test(f)).sort()) {
    const bytes = new Uint8Array(readFileSync(join(root, dir, file)));
    for (const preset of PRESETS) {
      for (const variant of ['value-info', 'no-value-info', 'external'] as const) {
        const model = openModel(bytes);
        const recipe = { ...DEFAULT_RECIPE, ...preset.recipe };
        const result = convertModel(model, recipe, { valueInfo: variant !== 'no-value-info', external: variant === 'external' ? 'always' : 'auto', externalDataFile: 'x.data' });
        const extra = Object.entries(result.externalFiles).map(([k, v]) => `${k}=${sha(v)}`).join(',');
        // the CLI's way (pieces written one after another) must give the same files
        const viaPieces = convertModel(openModel(bytes), recipe, { valueInfo: variant !== 'no-value-info', external: variant === 'external' ? 'always' : 'auto', externalDataFile: 'x.data', pieces: true });
        const joined = (ps: Uint8Array[]) => sha(Buffer.concat(ps));
        const extraPieces = Object.entries(viaPieces.externalPieces ?? {}).map(([k, v]) => `${k}=${joined(v)}`).join(',');
        if (joined(viaPieces.pieces!) !== sha(result.bytes) || extraPieces !== extra) process.stdout.write('PIECES DIFFER: ');
        process.stdout.write(`${dir}/${file} ${preset.id} ${variant} ${sha(result.bytes)} ${extra}\n`);
      }
    }
  }
}
