// What the tests do as a person would: drop files on the page, wait for the graph, read the counts.

import { expect, type JSHandle, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = join(ROOT, 'fixtures', 'models');
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** A DataTransfer holding these files, built in the page (as the OS would hand it over on a drop). */
export async function dataTransferOf(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<JSHandle<DataTransfer>> {
  const payload = files.map((file) => ({ name: file.name, base64: Buffer.from(file.bytes).toString('base64') }));
  return page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const item of items) {
      const binary = atob(item.base64);
      const bytes = new Uint8Array(binary.length);
      for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
      transfer.items.add(new File([bytes], item.name, { type: 'application/octet-stream' }));
    }
    return transfer;
  }, payload);
}

/** Drags files over the page and drops them, firing the same events a real drag does. */
export async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const transfer = await dataTransferOf(
    page,
    paths.map((path) => ({ name: basename(path), bytes: readFileSync(path) })),
  );
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent('.app', type, { dataTransfer: transfer });
  }
}

export async function waitForGraph(page: Page, fileName?: string): Promise<void> {
  if (fileName) await expect(page.getByTestId('file-chip')).toContainText(fileName);
  await expect(page.getByTestId('graph')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('progress')).toHaveCount(0);
}

export async function planSeq(page: Page): Promise<number> {
  return Number(await page.getByTestId('counts').getAttribute('data-plan-seq'));
}

/** Waits for a plan newer than `after` to be on screen. */
export async function waitForPlan(page: Page, after: number): Promise<number> {
  await expect.poll(() => planSeq(page), { timeout: 15_000 }).toBeGreaterThan(after);
  await expect(page.getByTestId('counts')).toHaveAttribute('data-pending', 'false');
  return planSeq(page);
}

/** The precision panel's preview counter: one more each time a preview's result is on screen. */
export async function previewSeq(page: Page): Promise<number> {
  return Number(await page.getByTestId('precision-panel').getAttribute('data-preview-seq'));
}

/** Clicks the preview's Run as a person would and waits (up to `timeoutMs`) for a newer preview on screen. */
export async function clickPreviewRun(page: Page, timeoutMs: number): Promise<void> {
  const before = await previewSeq(page);
  await page.getByTestId('preview-run').click();
  await expect.poll(() => previewSeq(page), { timeout: timeoutMs }).toBeGreaterThan(before);
}

/**
 * Exact ops (Identity, Reshape, Transpose, Gather, ...) copy or select values and round nothing: the impact
 * ranking never names them (issue 12, item 7). Checked on the ranking a preview left on screen.
 */
export const EXACT_OPS = ['Identity', 'Reshape', 'Transpose', 'Unsqueeze', 'Squeeze', 'Gather', 'Concat', 'Slice', 'Expand', 'Relu', 'Where'];

export async function expectNoExactOpsRanked(page: Page): Promise<void> {
  const rows = page.getByTestId('precision-ranking').locator('li');
  await expect(rows.first()).toBeVisible({ timeout: 60_000 });
  const ops = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-op') ?? ''));
  expect(ops.length).toBeGreaterThan(0);
  expect(ops.filter((op) => EXACT_OPS.includes(op))).toEqual([]);
}

/** The real-run tables on screen fit the precision panel: p90, cosine and inf/NaN are not cut off at its edge. */
export async function expectRealRunTablesFit(page: Page): Promise<void> {
  await page.getByTestId('real-result').scrollIntoViewIfNeeded();
  const cut = await page.getByTestId('real-result').evaluate((result) => {
    const panel = result.closest<HTMLElement>('[data-testid="precision-panel"]')!;
    const edge = panel.getBoundingClientRect().right - parseFloat(getComputedStyle(panel).paddingRight);
    return [...result.querySelectorAll<HTMLElement>('th, td')]
      .filter((cell) => {
        const index = (cell as HTMLTableCellElement).cellIndex;
        // The output's name may end in an ellipsis (its title holds it); no other cell may be cut.
        const name = index === 0;
        return cell.getBoundingClientRect().right > edge + 0.5 || (!name && cell.scrollWidth > cell.clientWidth + 1);
      })
      .map((cell) => cell.textContent);
  });
  expect(cut).toEqual([]);
}

export async function castCount(page: Page): Promise<number> {
  return Number((await page.getByTestId('cast-count').innerText()).replace(/[^\d]/g, ''));
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Clicks the export tab's two download buttons as a person would; the recipe and the model, saved in `dir`. */
export async function downloadRecipeAndModel(page: Page, dir: string): Promise<{ recipePath: string; modelPath: string; modelName: string }> {
  mkdirSync(dir, { recursive: true });
  const recipeDownload = page.waitForEvent('download');
  await page.getByTestId('export-recipe').click();
  const recipePath = join(dir, (await recipeDownload).suggestedFilename());
  await (await recipeDownload).saveAs(recipePath);
  const modelDownload = page.waitForEvent('download', { timeout: 60_000 });
  await page.getByTestId('export-model').click();
  const modelName = (await modelDownload).suggestedFilename();
  const modelPath = join(dir, modelName);
  await (await modelDownload).saveAs(modelPath);
  return { recipePath, modelPath, modelName };
}

/** The CLI, given the app's exported recipe, writes the app's exported model byte for byte. */
export function expectCliReproduces(input: string, recipePath: string, modelPath: string, dir: string): void {
  const cliOut = join(dir, 'cli.onnx');
  // tsx from node_modules, not through npx: npm's own start cost ~0.3-0.7 s of CPU per call (docs/ci.md, fifth pass).
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', 'convert', input, '--recipe', recipePath, '-o', cliOut], { cwd: ROOT, stdio: 'pipe' });
  const appBytes = readFileSync(modelPath);
  const cliBytes = readFileSync(cliOut);
  expect(appBytes.length).toBe(cliBytes.length);
  expect(appBytes.equals(cliBytes)).toBe(true);
}
