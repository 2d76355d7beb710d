// The model worker's RPC surface, declared once: workers/model.worker.ts implements it and src/ui wraps it
// with comlink. Everything that crosses is structured-clone data; failures come back as values (an
// Outcome, workers/outcome.ts).

import type { ModelSummary, PlanReport, PresetId, Recipe } from '../src/core/index';
import type { Outcome, WorkerError } from './outcome';

export type { Outcome, WorkerError };

/**
 * A result tagged with the generation (the page's open sequence number) of the model it was computed on.
 * The worker swaps models between requests, so the page compares the tag with the model it shows and drops
 * a result meant for another model instead of painting one model's plan onto another's graph.
 */
export interface Stamped<T> {
  generation: number;
  value: T;
}

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

export interface OpenRequest {
  fileName: string;
  bytes: Uint8Array;
  /** External-data files dropped with the model, by file name (the `location` the model refers to). */
  externalFiles: NamedBytes[];
  /** The recipe to plan right away, so the first view already has colours and counts. */
  recipe: Recipe;
  /** The page's sequence number for this open; results on this model are stamped with it. */
  generation: number;
}

export type OpenStage = 'parsing' | 'summarizing' | 'planning';

export interface OpenTimings {
  parseMillis: number;
  summarizeMillis: number;
  planMillis: number;
}

export interface OpenedModel {
  summary: ModelSummary;
  plan: PlanReport;
  timings: OpenTimings;
}

export interface ConvertedModel {
  bytes: Uint8Array;
  externalFiles: NamedBytes[];
  report: PlanReport;
  convertMillis: number;
}

export type { PresetId };

export interface PresetInfo {
  id: PresetId;
  label: string;
  recipe: Partial<Recipe>;
}

export interface ModelWorkerApi {
  /**
   * Decodes, summarizes and plans a model. The worker keeps its previous model when this fails, so a bad
   * file never costs the user the model they were working on.
   */
  open(request: OpenRequest, onStage: (stage: OpenStage) => void): Promise<Outcome<OpenedModel>>;
  plan(recipe: Recipe): Promise<Stamped<Outcome<PlanReport>>>;
  convert(recipe: Recipe): Promise<Outcome<ConvertedModel>>;
  presets(): Promise<PresetInfo[]>;
  cliCommand(recipe: Recipe, inputFile: string, outputFile: string): Promise<string>;
  parseRecipe(json: string): Promise<Outcome<Recipe>>;
  /** The recipe file as the app exports it (stable key order, normalized lists). */
  serializeRecipe(recipe: Recipe): Promise<Outcome<string>>;
  /** A copy of the open model's file and external-data files (what the companion panel uploads). */
  source(): Promise<Outcome<{ bytes: Uint8Array; externalFiles: NamedBytes[] }>>;
  /**
   * Serves the precision API (precision-api.ts) on `precisionPort`, over the open model, with model runs
   * sent to the runtime worker on `runtimePort` (runtime-api.ts), and the fp16-simulated models' runs to a
   * second one on `simulationPort` where the page started one (they then run beside the fp32 reference).
   * The page calls this once.
   */
  connect(runtimePort: MessagePort, precisionPort: MessagePort, simulationPort?: MessagePort): Promise<void>;
}
