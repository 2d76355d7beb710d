// The preview's inputs as a person sets them before the first run: their own input files are used (they
// were dropped when the precision worker opened the model on that run), and a model whose input dims have
// neither a size nor a name (silero VAD v5: `input` is [?, ?], `sr` a scalar) runs with the defaults shown
// in the size fields (it failed on Pad with a 1x1 input and a random sample rate).

import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickPreviewRun, dropFiles, FIXTURES, ROOT, waitForGraph } from './helpers';

async function runPreview(page: Page): Promise<void> {
  await clickPreviewRun(page, 90_000);
  await expect(page.getByTestId('precision-panel')).toHaveAttribute('data-pending', 'false');
}

test('input files chosen before the first preview are the ones it runs on', async ({ page }, testInfo) => {
  const file = 'pegasus-small-o14-encoder.onnx';
  await page.goto('/');
  await dropFiles(page, [join(FIXTURES, file)]);
  await waitForGraph(page, file);
  // Five tokens, where the seeded inputs would be 16.
  const inputsPath = testInfo.outputPath('five-tokens.json');
  writeFileSync(inputsPath, JSON.stringify({ input_ids: [[5, 17, 2, 99, 1]], attention_mask: [[1, 1, 1, 1, 1]] }));
  await page.getByTestId('precision-input-files').setInputFiles(inputsPath);
  await expect(page.getByTestId('precision-panel')).toContainText('five-tokens.json');

  await runPreview(page);
  await expect(page.getByTestId('precision-error')).toHaveCount(0);
  await expect(page.getByTestId('precision-inputs')).toContainText('from files:');
  await expect(page.getByTestId('precision-inputs')).toContainText('input_ids int64[1×5]');
  // The file is still listed, and the next run keeps using it.
  await expect(page.getByTestId('precision-panel')).toContainText('five-tokens.json');
  await runPreview(page);
  await expect(page.getByTestId('precision-inputs')).toContainText('input_ids int64[1×5]');
});

test("silero VAD v5's default inputs run: unnamed dims shown as sizes, a 512-sample chunk at 16 kHz", async ({ page }) => {
  const file = 'silero-vad-v5.onnx';
  await page.goto('/');
  await dropFiles(page, [join(ROOT, 'fixtures', 'subgraphs', file)]);
  await waitForGraph(page, file);
  // Before any run: the dims without a name have size fields of their own, with sizes that run.
  await expect(page.getByTestId('preview-result')).toHaveCount(0);
  await expect(page.getByTestId('dim-input[0]')).toHaveValue('1');
  await expect(page.getByTestId('dim-input[1]')).toHaveValue('512');
  await expect(page.getByTestId('dim-state[1]')).toHaveValue('1');
  await expect(page.getByTestId('precision-input-shapes')).toContainText('input float32[1×512]');
  await expect(page.getByTestId('precision-input-shapes')).toContainText('state float32[2×1×128]');

  await runPreview(page);
  await expect(page.getByTestId('precision-error')).toHaveCount(0);
  await expect(page.getByTestId('preview-result')).toBeVisible();
  await expect(page.getByTestId('precision-inputs')).toContainText('input float32[1×512]');

  // The size fields drive the run: a 256-sample chunk (what the 8 kHz branch takes) runs as well.
  await page.getByTestId('dim-input[1]').fill('256');
  await expect(page.getByTestId('precision-input-shapes')).toContainText('input float32[1×256]');
  await runPreview(page);
  await expect(page.getByTestId('precision-error')).toHaveCount(0);
  await expect(page.getByTestId('precision-inputs')).toContainText('input float32[1×256]');
});
