// The model worker: owns the decoded model and runs every engine call off the page's thread, the precision
// preview's included (workers/precision.ts, on the same decoded model; its runs go to the runtime worker).
// A thin adapter: the engine does the work, this file only turns its results and errors into RPC values.

import * as Comlink from 'comlink';
import type { Recipe } from '../src/core/index';
import {
  convertModel,
  openModel,
  parseRecipe,
  planModel,
  PRESETS,
  recipeToCliCommand,
  serializeRecipe,
  summarizeModel,
  type EngineModel,
} from '../src/core/index';
import type { ModelWorkerApi, NamedBytes } from './model-api';
import { attempt } from './outcome';
import { precisionService, type OpenModel } from './precision';
import type { RuntimeWorkerApi } from './runtime-api';

let current: EngineModel | null = null;
/** The page's generation for `current` (0: none yet); every plan is stamped with it. */
let currentGeneration = 0;
/** The open model's bytes: the engine keeps views into them anyway, so holding them costs nothing. */
let currentSource: { bytes: Uint8Array; externalFiles: NamedBytes[] } | null = null;
/** Both, as the precision service sees the open model (a new object per model). */
let currentOpen: OpenModel | null = null;

/**
 * Bytes that own their whole buffer, safe to transfer: a view into a buffer the engine still holds (the
 * input file, a shared arena) is copied rather than detached under the engine's feet.
 */
function ownedCopy(bytes: Uint8Array): Uint8Array {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return whole && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}

function requireModel(): EngineModel {
  if (!current) throw new Error('No model is open');
  return current;
}

const api: ModelWorkerApi = {
  async open(request, onStage) {
    return attempt(() => {
      const t0 = performance.now();
      void onStage('parsing');
      const externals = new Map(request.externalFiles.map((file) => [file.name, file.bytes] as const));
      const model = openModel(request.bytes, externals.size ? externals : undefined);
      const t1 = performance.now();
      void onStage('summarizing');
      const summary = summarizeModel(model);
      const t2 = performance.now();
      void onStage('planning');
      const plan = planModel(model, request.recipe);
      const t3 = performance.now();
      // Only now does the new model replace the old one: a failure above leaves the user's model intact.
      current = model;
      currentGeneration = request.generation;
      currentSource = { bytes: request.bytes, externalFiles: request.externalFiles };
      currentOpen = { model, source: currentSource };
      return {
        summary,
        plan,
        timings: { parseMillis: t1 - t0, summarizeMillis: t2 - t1, planMillis: t3 - t2 },
      };
    });
  },

  async plan(recipe: Recipe) {
    const generation = currentGeneration;
    return { generation, value: await attempt(() => planModel(requireModel(), recipe)) };
  },

  async convert(recipe: Recipe) {
    const outcome = await attempt(() => {
      const t0 = performance.now();
      const result = convertModel(requireModel(), recipe);
      return {
        bytes: ownedCopy(result.bytes),
        externalFiles: Object.entries(result.externalFiles).map(([name, bytes]) => ({ name, bytes: ownedCopy(bytes) })),
        report: result.report,
        convertMillis: performance.now() - t0,
      };
    });
    if (!outcome.ok) return outcome;
    // Hand the buffers over instead of copying them again: a converted model can be large.
    const buffers = [outcome.value.bytes, ...outcome.value.externalFiles.map((file) => file.bytes)].map(
      (bytes) => bytes.buffer as ArrayBuffer,
    );
    return Comlink.transfer(outcome, buffers);
  },

  async presets() {
    return PRESETS.map((preset) => ({ id: preset.id, label: preset.label, recipe: preset.recipe }));
  },

  async cliCommand(recipe, inputFile, outputFile) {
    return recipeToCliCommand(recipe, inputFile, outputFile);
  },

  async parseRecipe(json: string) {
    return attempt(() => parseRecipe(json));
  },

  async serializeRecipe(recipe: Recipe) {
    return attempt(() => serializeRecipe(recipe));
  },

  async source() {
    const outcome = await attempt(() => {
      if (!currentSource) throw new Error('No model is open');
      return {
        bytes: currentSource.bytes.slice(),
        externalFiles: currentSource.externalFiles.map((file) => ({ name: file.name, bytes: file.bytes.slice() })),
      };
    });
    if (!outcome.ok) return outcome;
    const buffers = [outcome.value.bytes, ...outcome.value.externalFiles.map((file) => file.bytes)].map((bytes) => bytes.buffer as ArrayBuffer);
    return Comlink.transfer(outcome, buffers);
  },

  async connect(runtimePort, precisionPort, simulationPort) {
    const runtime = Comlink.wrap<RuntimeWorkerApi>(runtimePort);
    const simulation = simulationPort ? Comlink.wrap<RuntimeWorkerApi>(simulationPort) : runtime;
    Comlink.expose(precisionService(() => currentOpen, runtime, simulation), precisionPort);
  },
};

Comlink.expose(api);
