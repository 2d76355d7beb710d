// Export: the converted model and its data files, the recipe as JSON, the CLI command that does the same;
// and importing a recipe back.

import type { LowPrecision } from '../../core/index';
import { pushRecipe, useApp } from '../store';
import { modelClient } from '../workers';
import { showError } from './notice';

function download(name: string, parts: BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = name;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function baseName(fileName: string): string {
  return fileName.replace(/\.onnx$/i, '');
}

/** Names of the exported files: the converted model is named after its low type (model.fp16.onnx, model.bf16.onnx). */
export function outputNames(fileName: string, low: LowPrecision = 'fp16'): { model: string; recipe: string } {
  const base = baseName(fileName);
  return { model: `${base}.${low}.onnx`, recipe: `${base}.recipe.json` };
}

export async function exportModel(): Promise<boolean> {
  const { model, recipe } = useApp.getState();
  if (!model) return false;
  const outcome = await modelClient().convert(recipe);
  if (!outcome.ok) {
    showError('The model could not be converted', outcome.error);
    return false;
  }
  const names = outputNames(model.fileName, recipe.lowPrecision);
  // Every byte is in memory before the first download starts, and the browser writes each download to a
  // temporary file it renames when complete, so no export is left partial. Data files go first, so a model
  // never lands without the data it names.
  for (const file of outcome.value.externalFiles) {
    download(file.name, [file.bytes as Uint8Array<ArrayBuffer>], 'application/octet-stream');
  }
  download(names.model, [outcome.value.bytes as Uint8Array<ArrayBuffer>], 'application/octet-stream');
  return true;
}

export async function exportRecipe(): Promise<void> {
  const { model, recipe } = useApp.getState();
  if (!model) return;
  const outcome = await modelClient().serializeRecipe(recipe);
  if (!outcome.ok) {
    showError('The recipe could not be written', outcome.error);
    return;
  }
  download(outputNames(model.fileName).recipe, [outcome.value], 'application/json');
}

export async function cliCommand(): Promise<string> {
  const { model, recipe } = useApp.getState();
  if (!model) return '';
  return modelClient().cliCommand(recipe, model.fileName, outputNames(model.fileName, recipe.lowPrecision).model);
}

export async function importRecipe(file: File): Promise<void> {
  const outcome = await modelClient().parseRecipe(await file.text());
  if (!outcome.ok) {
    showError(`${file.name} is not a usable recipe`, outcome.error);
    return;
  }
  pushRecipe(outcome.value);
  useApp.setState({ notice: { kind: 'info', title: 'Recipe imported', message: file.name } });
}
