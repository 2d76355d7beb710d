// Issue 12, item 7: the impact ranking names the nodes a block list can act on. Identity and other exact
// ops (Reshape, Transpose, Gather, ...) copy or select values and round nothing: they are never ranked.

import { expect, test } from '@playwright/test';
import { dropFiles, fixture, screenshot, waitForGraph } from './helpers';

const EXACT = ['Identity', 'Reshape', 'Transpose', 'Unsqueeze', 'Squeeze', 'Gather', 'Concat', 'Slice', 'Expand', 'Relu', 'Where'];

for (const file of ['bert-tiny-o14.onnx', 'pegasus-small-o14-encoder.onnx']) {
  test(`${file}: the ranking has no exact ops`, async ({ page }) => {
    await page.goto('/');
    await dropFiles(page, [fixture(file)]);
    await waitForGraph(page, file);
    await page.getByTestId('preview-run').click();
    const rows = page.getByTestId('precision-ranking').locator('li');
    await expect(rows.first()).toBeVisible({ timeout: 60_000 });
    const ops = await rows.evaluateAll((items) => items.map((item) => item.getAttribute('data-op') ?? ''));
    expect(ops.length).toBeGreaterThan(0);
    expect(ops.filter((op) => EXACT.includes(op))).toEqual([]);
    await screenshot(page, `ranking-${file.replace('.onnx', '')}`);
  });
}
