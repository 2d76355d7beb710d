// Runs the ONNX backend node tests through Castaway and writes docs/backend-suite.md:
// converts every float model with no block list, checks it with onnx.checker, and runs it with
// onnxruntime-node (CPU) against the suite's expected outputs (the fp16 model where the CPU EP can run it,
// the fp16-simulated model otherwise).   npx tsx scripts/backend-suite-report.ts [--write docs/backend-suite.md]
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatSuite, runSuite } from '../src/node/backend-suite-summary';

const { values } = parseArgs({ options: { write: { type: 'string' }, only: { type: 'string' } } });
const t = performance.now();
const summary = await runSuite(values.only ? (n) => n.includes(values.only!) : undefined);
const text = formatSuite(summary);
process.stdout.write(text);
process.stderr.write(`suite took ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
if (values.write) writeFileSync(values.write, text);
