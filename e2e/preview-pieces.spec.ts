// The preview of a large model in the browser goes the pieces' way (docs/precision.md, "Speed"): the model
// worker splits the simulated model (pieceProgram) and the runtime worker runs the pieces on onnxruntime-web's
// wasm-only build, exposed values packed per piece. The small fixtures of precision.spec.ts run whole, so
// this is the test of that path in a page: per node and outputs only, the same output error both ways.

import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { clickPreviewRun, dropFiles, ROOT, waitForGraph } from './helpers';

const FILE = 'pegasus-deep64-o14-decoder.onnx';

async function runPreview(page: Page): Promise<string> {
  await clickPreviewRun(page, 180_000);
  await expect(page.getByTestId('precision-error')).toHaveCount(0);
  return page.getByTestId('preview-verdict').innerText();
}

test('a 64-layer decoder previews in pieces: every value per node, the same output error outputs only', async ({ page }) => {
  test.setTimeout(400_000);
  await page.goto('/');
  await dropFiles(page, [join(ROOT, 'fixtures', 'bench', FILE)]);
  await waitForGraph(page, FILE);

  const perNode = await runPreview(page);
  const result = page.getByTestId('preview-result');
  // 6,990 float values of the 11,217 nodes come back from the packed pieces and are compared.
  expect(Number(/([\d,]+) values compared/.exec(await result.innerText())?.[1].replace(/,/g, ''))).toBeGreaterThan(6000);
  await expect(page.getByTestId('preview-verdict')).toHaveAttribute('data-level', 'fine');
  await expect(page.getByTestId('precision-ranking').locator('li').first()).toBeVisible();

  await page.getByTestId('preview-per-node').uncheck();
  const outputsOnly = await runPreview(page);
  await expect(result).not.toContainText('values compared');
  // The same cosine, to every printed digit: the packed per-node pieces and the plain ones agree.
  const cosine = (text: string) => /cosine ([\d.e+-]+)/.exec(text)?.[1];
  expect(cosine(perNode)).toBeDefined();
  expect(cosine(outputsOnly)).toBe(cosine(perNode));
});
