// castaway: the command-line adapter over the engine. convert, inspect and bench; exit codes tell
// scripts what went wrong without parsing messages.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { convertModel, EngineModel, planModel, summarizeModel } from '../core/index';
import { CastawayError, TARGET_EPS } from '../core/index';
import { fileIdentity, writeFilesAtomically, type OutputFile } from '../node/atomic-write';
import { loadModelFile, readFileShared, type LoadedModelFile } from '../node/load-model-file';
import { RECIPE_OPTIONS, recipeFromFlags, type RecipeFlags } from './recipe-flags';
import { formatInspect } from './inspect-format';
import { storageSummaryText, touchedTensorsText, unboundDimsText } from '../core/index';
import { Fp16Threads, fp16ThreadCount } from './fp16-threads';
import { Progress } from './progress';
import { unmatchedWarnings } from './unmatched';

export const EXIT = { ok: 0, internal: 1, usage: 2, badModel: 3, badRecipe: 4, io: 5 } as const;

const USAGE = `Usage:
  castaway convert <in.onnx> -o <out.onnx> [recipe options]
  castaway inspect <in.onnx> [recipe options] [--json]
  castaway bench <model.onnx> --ep cuda|cpu [--dims batch=1,sequence=128] [--runs N]

Recipe options (named like onnxruntime's convert_float_to_float16):
  --recipe <file.json>         a recipe exported by the app
  --op-block-list A,B          op types kept in fp32
  --node-block-list n1,n2      node names kept in fp32
  --pattern <rule>             name rule kept in fp32: scope prefix, glob with *, or re:<regex> (repeatable)
  --keep-io-types              keep float graph inputs and outputs fp32
  --target-ep ${TARGET_EPS.join('|')}   ops without a float16 kernel there stay fp32
  --objective nodes|bytes      fewest Cast nodes (default) or fewest bytes cast
  --low-precision fp16|bf16    the low type (default fp16); bf16 keeps float32's range: nothing clamped
  --dims batch=1,sequence=128  sizes of symbolic dims for the bytes objective
  --skip-layer-norm-strict-mode   your CUDA sessions set enable_skip_layer_norm_strict_mode=1: blocked
                               SkipLayerNormalization then runs at fp16 I/O (it computes in fp32), no Casts
  --external-data              write weights to <out>.data (automatic over 2 GB or when the input had external data)
  --no-value-info              do not write inferred shapes as value_info (written by default: onnxruntime fuses more with them)
  --force                      allow -o (or <out>.data) to be the input model or one of its data files

Exit codes: 0 ok, 2 usage, 3 bad model, 4 bad recipe, 5 file error, 1 internal error.`;

class UsageError extends Error {}

/** The files an input model was read from (the .onnx and its external data), to refuse writing over them. */
function inputFilesOf(loaded: LoadedModelFile): string[] {
  return [loaded.path, ...loaded.externalFiles.values()];
}

function refuseOverwritingInputs(outputs: readonly OutputFile[], inputs: readonly string[]): void {
  const inputIds = new Map<string, string>();
  for (const p of inputs) {
    const id = fileIdentity(p);
    if (id) inputIds.set(id, p);
  }
  for (const o of outputs) {
    const id = fileIdentity(o.path);
    const input = id && inputIds.get(id);
    if (input) {
      throw new UsageError(`${o.path} is the input ${input === inputs[0] ? 'model' : `model's data file ${input}`}; writing it would destroy the original. Choose another -o, or pass --force`);
    }
  }
}

/** From this many bytes of model (file and external data) on, a convert spreads the fp16 conversion over threads. */
const THREADS_FROM_BYTES = 64 << 20;

/**
 * `shared`: read into shared memory for the conversion threads; `parallel`: the .onnx file read by several
 * threads at once (a large model: readFileShared).
 */
async function open(path: string, progress: Progress, shared = false, parallel = false): Promise<EngineModel & { inputFiles: string[]; loadedBytes: number }> {
  progress.step(`reading ${path}`);
  let loaded: LoadedModelFile;
  try {
    // the model goes to the engine unchanged, so its nodes may keep their bytes (decodeModel)
    loaded = loadModelFile(path, { shared, bytes: parallel ? await readFileShared(path) : undefined, keepNodeBytes: true });
  } catch (error) {
    if (error instanceof CastawayError) throw error;
    throw Object.assign(new Error(`Cannot read ${path}: ${(error as Error).message}`), { exit: EXIT.io });
  }
  progress.step(`indexing (${(loaded.bytes.byteLength / 1e6).toFixed(1)} MB)`);
  return Object.assign(new EngineModel(loaded.model), { inputFiles: inputFilesOf(loaded), loadedBytes: loaded.loadedBytes });
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const [command, ...rest] = argv;
  let threads: Fp16Threads | undefined;
  try {
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      out(`${USAGE}\n`);
      return command ? EXIT.ok : EXIT.usage;
    }
    if (command === 'bench') {
      const { runBenchCommand } = await import('./bench');
      return await runBenchCommand(rest);
    }
    if (command !== 'convert' && command !== 'inspect') throw new UsageError(`Unknown command "${command}"`);
    let parsed;
    try {
      parsed = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { ...RECIPE_OPTIONS, output: { type: 'string', short: 'o' }, json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, 'external-data': { type: 'boolean' }, 'no-value-info': { type: 'boolean' }, force: { type: 'boolean' } },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one model file`);
    const progress = new Progress(err, !values.quiet && !values.json);
    const recipe = recipeFromFlags(values as RecipeFlags, (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch (error) {
        throw Object.assign(new Error(`Cannot read recipe ${p}: ${(error as Error).message}`), { exit: EXIT.io });
      }
    });
    // A large model's fp16 conversion runs over threads (fp16-threads.ts); they boot while the file is decoded.
    // The file is then read into shared memory, which the threads read in place.
    const mayThread = command === 'convert' && fp16ThreadCount() > 1;
    if (mayThread && fileSize(positionals[0]) >= THREADS_FROM_BYTES) threads = new Fp16Threads();
    const model = await open(positionals[0], progress, mayThread, threads !== undefined);
    if (mayThread && !threads && model.loadedBytes >= THREADS_FROM_BYTES) threads = new Fp16Threads(); // weights in external data
    for (const warning of unmatchedWarnings(model, recipe)) err(`castaway: warning: ${warning}\n`);
    if (command === 'inspect') {
      progress.step('planning');
      const report = planModel(model, recipe);
      progress.done();
      const summary = summarizeModel(model);
      out(values.json ? `${JSON.stringify({ summary: { ...summary, nodes: undefined, values: undefined }, report: { ...report, boundaries: report.boundaries.length, nodePrecision: undefined } }, null, 2)}\n` : formatInspect(summary, report, recipe));
      return EXIT.ok;
    }
    if (!values.output) throw new UsageError('convert needs -o <out.onnx>');
    const workers = threads ? await threads.ready : 0;
    progress.step(workers ? `planning and rewriting (fp16 weights over ${workers + 1} threads)` : 'planning and rewriting');
    const result = convertModel(model, recipe, { externalDataFile: `${basename(values.output)}.data`, external: values['external-data'] ? 'always' : 'auto', valueInfo: !values['no-value-info'], pieces: true, fp16Converter: threads?.converter });
    progress.step(`writing ${values.output}`);
    // Data files first, the model that names them last. An empty data file is not written: nothing reads
    // from it, and writing it would replace a file of that name with nothing.
    const length = (data: Uint8Array | Uint8Array[]) => (data instanceof Uint8Array ? data.length : data.reduce((n, p) => n + p.length, 0));
    const outputs: OutputFile[] = Object.entries(result.externalPieces ?? result.externalFiles)
      .filter(([, data]) => length(data) > 0)
      .map(([name, data]) => ({ path: join(dirname(values.output!), name), bytes: data }));
    outputs.push({ path: values.output, bytes: result.pieces ?? result.bytes });
    if (!values.force) refuseOverwritingInputs(outputs, model.inputFiles);
    try {
      writeFilesAtomically(outputs);
    } catch (error) {
      throw Object.assign(new Error(`Cannot write ${values.output} (nothing was replaced): ${(error as Error).message}`), { exit: EXIT.io });
    }
    progress.done();
    const r = result.report;
    out(`${values.output}: ${r.castCount} Casts (${r.insertedCasts} inserted; onnxruntime's tool: ${r.ortReferenceCasts}), ` +
      `${r.lowPrecision} weights ${(100 * r.fp16WeightShare).toFixed(1)}%; ${storageSummaryText(r)}\n` +
      (r.touchedTensors.length ? `  touched: ${touchedTensorsText(r.touchedTensors)}\n` : '') +
      r.requiredSessionOptions.map((o) => `  session must set ${o} (without it the blocked norms compute in fp16)\n`).join('') +
      (unboundDimsText(r.unboundDims) ? `  ${unboundDimsText(r.unboundDims)}\n` : ''));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`castaway: ${error.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (error instanceof CastawayError) {
      err(`castaway: ${error.message} [${error.code}]\n`);
      return error.code === 'bad-recipe' ? EXIT.badRecipe : error.code === 'missing-external-data' ? EXIT.io : EXIT.badModel;
    }
    const exit = (error as { exit?: number }).exit;
    err(`castaway: ${(error as Error).message ?? error}\n`);
    return exit ?? EXIT.internal;
  } finally {
    threads?.close();
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0; // open() reports it
  }
}

const invokedDirectly = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
