// `npm run fixtures:refs`: recomputes the fp32 reference outputs of every fixture model (fixtures/refs/, read by
// the fixture checks through src/node/fp32-refs.ts) with this checkout's onnxruntime-node. Run it after a
// fixture, the seeded feeds, the reference session options or onnxruntime changes: the checks fail with this
// command until then.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openModel } from '../src/core/index';
import { FIXTURES } from '../src/node/fixture-recipes';
import { computeReference, fixtureBytes, fixtureFeeds, referenceUrl } from '../src/node/fp32-refs';

for (const fixture of process.argv.length > 2 ? process.argv.slice(2) : FIXTURES) {
  const started = Date.now();
  const bytes = fixtureBytes(fixture);
  const reference = await computeReference(fixture, bytes, fixtureFeeds(openModel(bytes)));
  const file = fileURLToPath(referenceUrl(fixture));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(reference, null, 1)}\n`);
  console.log(`${fixture}: ${reference.outputs.map((o) => `${o.name} [${o.dims.join(',')}]`).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
