// Writes fixtures/app/constant-weights.onnx: the Constant-node-weight model of
// src/core/testing/constant-weights.ts, for the e2e test that opens it in the app.
//   npx tsx scripts/make-constant-weights-fixture.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../src/core/index';
import { constantWeightsModel } from '../src/core/index';

const path = join(import.meta.dirname, '..', 'fixtures', 'app', 'constant-weights.onnx');
writeFileSync(path, encodeModel(constantWeightsModel()));
console.log(`wrote ${path}`);
