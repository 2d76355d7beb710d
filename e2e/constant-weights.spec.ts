// Issue 12, item 4: weights kept in Constant nodes (paddle2onnx style) count on every screen: the model's
// weight bytes, the fp16 weight share, clamped / raised; the node that reads a weight beyond fp16's range
// says so, and one click keeps it fp32 so nothing is clamped.

import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { dropFiles, planSeq, ROOT, screenshot, waitForGraph, waitForPlan } from './helpers';

const FILE = 'constant-weights.onnx';

test('Constant-node weights: counted, shown on the node, one click keeps it fp32', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [join(ROOT, 'fixtures', 'app', FILE)]);
  await waitForGraph(page, FILE);

  // 8x8 + 8 + 8x4 float32 values in three Constant nodes.
  await expect(page.getByTestId('model-weights')).toHaveText('416 B');
  await expect(page.getByTestId('fp16-weights')).toHaveText('100%');
  await expect(page.getByTestId('clamped')).toHaveText('2 / 3');

  // The MatMul reading the out-of-range weight carries a badge; its details say what happens.
  const linear0 = page.locator('.react-flow__node', { has: page.locator('[data-testid="range-badge"]') });
  await expect(linear0).toHaveCount(1);
  await linear0.click();
  await expect(page.getByTestId('details')).toContainText('linear_0');
  await expect(page.getByTestId('weight-range')).toContainText("2 weight values beyond fp16's range");
  // Its weight input is shown as what it is: a Constant's 8x8 float32 tensor.
  await expect(page.getByTestId('details')).toContainText('float32[8, 8]');
  await expect(page.getByTestId('details')).toContainText('Constant 256 B');
  await screenshot(page, 'constant-weights-clamped');

  const seq = await planSeq(page);
  await page.getByTestId('keep-fp32-range').click();
  await waitForPlan(page, seq);
  await expect(page.getByTestId('clamped')).toHaveText('0 / 3');
  await expect(page.getByTestId('weight-range')).toHaveAttribute('data-clamps', 'false');
  await expect(page.getByTestId('range-badge')).toHaveCount(0);
  // linear_0's 256 B weight stays fp32: 160 of 416 bytes are fp16.
  await expect(page.getByTestId('fp16-weights')).toHaveText('38.5%');
  await screenshot(page, 'constant-weights-kept');
});
