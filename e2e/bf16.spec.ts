// bf16 in the app: the rules panel's low-precision selector re-plans with bfloat16 (nothing clamped, the
// >fp16 badge gone), the export is named after it and is what the CLI writes for the exported recipe, and
// the precision panel points at bf16 where the fp16 preview finds weights beyond fp16's range.

import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { downloadRecipeAndModel, dropFiles, expectCliReproduces, planSeq, ROOT, screenshot, waitForGraph, waitForPlan } from './helpers';

const FILE = 'constant-weights.onnx'; // opset 13: bfloat16 exists; a MatMul weight beyond 65504

async function previewOnce(page: Page): Promise<void> {
  const seq = () => page.getByTestId('precision-panel').getAttribute('data-preview-seq').then(Number);
  const before = await seq();
  await page.getByTestId('preview-run').click();
  await expect.poll(seq, { timeout: 60_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId('precision-panel')).toHaveAttribute('data-pending', 'false');
}

test('bf16: selector, no clamping, export equals the CLI, the preview points at bf16', async ({ page }, testInfo) => {
  await page.goto('/');
  await dropFiles(page, [join(ROOT, 'fixtures', 'app', FILE)]);
  await waitForGraph(page, FILE);
  await expect(page.getByTestId('clamped')).toHaveText('2 / 3');
  await expect(page.getByTestId('range-badge')).toHaveCount(1);

  // Under fp16 the preview finds the clamped weight and offers bf16; one click switches the recipe.
  await previewOnce(page);
  await expect(page.getByTestId('precision-overflow')).toHaveAttribute('data-low', 'fp16');
  await expect(page.getByTestId('bf16-note').first()).toContainText("bf16 keeps fp32's range");
  let seq = await planSeq(page);
  await page.getByTestId('bf16-note').first().getByRole('button', { name: 'try bf16' }).click();
  seq = await waitForPlan(page, seq);
  await expect(page.getByTestId('clamped')).toHaveText('0 / 0');
  await expect(page.getByTestId('range-badge')).toHaveCount(0);
  await previewOnce(page);
  await expect(page.getByTestId('precision-overflow')).toHaveAttribute('data-low', 'bf16');
  await expect(page.getByTestId('overflow-weight').first()).toContainText('not clamped');
  await screenshot(page, 'bf16-preview');

  // The selector shows it, and switches back and forth.
  await page.getByTestId('tab-rules').click();
  await expect(page.getByTestId('low-precision')).toHaveValue('bf16');
  await page.getByTestId('low-precision').selectOption('fp16');
  seq = await waitForPlan(page, seq);
  await expect(page.getByTestId('clamped')).toHaveText('2 / 3');
  await page.getByTestId('low-precision').selectOption('bf16');
  await waitForPlan(page, seq);
  await expect(page.getByTestId('clamped')).toHaveText('0 / 0');

  // Export: the command, the recipe and the model, which the CLI reproduces byte for byte.
  await page.getByTestId('tab-export').click();
  await expect(page.getByTestId('cli-command')).toContainText('--low-precision bf16');
  await expect(page.getByTestId('cli-command')).toContainText('constant-weights.bf16.onnx');
  const dir = testInfo.outputPath('export');
  const { recipePath, modelPath, modelName } = await downloadRecipeAndModel(page, dir);
  expect(modelName).toBe('constant-weights.bf16.onnx');
  expect(JSON.parse(readFileSync(recipePath, 'utf8')).lowPrecision).toBe('bf16');
  execFileSync('/usr/bin/python3', ['-c', 'import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); assert any(t.data_type == 16 for t in m.graph.initializer) or any(a.t.data_type == 16 for n in m.graph.node for a in n.attribute if a.HasField("t"))', modelPath], { stdio: 'pipe' });
  expectCliReproduces(join(ROOT, 'fixtures', 'app', FILE), recipePath, modelPath, dir);
});
