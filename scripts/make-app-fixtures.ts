// Writes the small models the app's e2e tests open (fixtures/app/), from their builders in
// src/core/testing:  npx tsx scripts/make-app-fixtures.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelProto } from '../src/core/index';
import { encodeModel } from '../src/core/index';
import { constantWeightsModel } from '../src/core/index';
import { offsetImageModel } from '../src/core/index';
import { upsampleAttributesModel } from '../src/core/index';

const FIXTURES: Record<string, () => ModelProto> = {
  'constant-weights.onnx': constantWeightsModel,
  'offset-image.onnx': offsetImageModel,
  'upsample-attributes.onnx': upsampleAttributesModel,
};

const dir = join(import.meta.dirname, '..', 'fixtures', 'app');
mkdirSync(dir, { recursive: true });
for (const [name, build] of Object.entries(FIXTURES)) {
  writeFileSync(join(dir, name), encodeModel(build()));
  console.log(`wrote ${join(dir, name)}`);
}
