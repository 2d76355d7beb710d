// Runs the ONNX backend node tests through Castaway and writes docs/backend-suite.md:
// converts every float model with no block list, checks it with onnx.checker, and runs it with
// onnxruntime-node (CPU) against the suite's expected outputs (the fp16 model where the CPU EP can run it,
// the fp16-simulated model otherwise).   npx tsx scripts/backend-suite-report.ts [--write docs/backend-suite.md]
// With --low-precision bf16 the same pass with bfloat16 as the low type, printed as docs/backend-suite.md's bf16 section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatBf16Suite, formatSuite, runSuite } from '../src/node/backend-suite-summary';

const { values } = parseArgs({ options: { write: { type: 'string' }, only: { type: 'string' }, 'low-precision': { type: 'string' } } });
const bf16 = values['low-precision'] === 'bf16';
const t = performance.now();
const summary = await runSuite(values.only ? (n) => n.includes(values.only!) : undefined, bf16 ? 'bf16' : 'fp16');
const text = bf16 ? formatBf16Suite(summary) : formatSuite(summary);
process.stdout.write(text);
process.stderr.write(`suite took ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
if (values.write) {
  // One file, two passes: each run replaces its own part and keeps the other's (the bf16 section is last).
  const old = existsSync(values.write) ? readFileSync(values.write, 'utf8') : '';
  const at = old.indexOf('\n## bf16 (');
  const [fp16Part, bf16Part] = at < 0 ? [old, ''] : [old.slice(0, at + 1), old.slice(at + 1)];
  writeFileSync(values.write, bf16 ? `${fp16Part.trimEnd()}\n\n${text}` : `${text}${bf16Part ? `\n${bf16Part}` : ''}`);
}
