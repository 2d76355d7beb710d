// Issue 12, item 1: switching models must never blank the page. A plan made for one model (with Cast
// boundaries, from keeping Softmax in fp32) must not be painted onto the next model's layout, and a panel
// that fails must show a message with a retry while the rest of the page keeps working.

import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { castCount, dropFiles, fixture, planSeq, ROOT, screenshot, waitForGraph, waitForPlan } from './helpers';

const FIRST = 'gpt2-deep200-o14.onnx';
const SECONDS = ['bert-tiny-o14.onnx', 't5-tiny-o14-encoder.onnx', 'pegasus-small-o14-encoder.onnx'];

test('keep Softmax in fp32, then drop other models: the page stays and shows the new model', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto('/');
  await dropFiles(page, [fixture(FIRST)]);
  await waitForGraph(page, FIRST);
  const seq = await planSeq(page);
  await page.getByRole('checkbox', { name: 'Keep Softmax in fp32' }).check();
  await waitForPlan(page, seq);
  expect(await castCount(page)).toBeGreaterThan(0);

  for (const next of SECONDS) {
    await dropFiles(page, [fixture(next)]);
    await waitForGraph(page, next);
    // The new model's own plan and graph: no Softmax kept, its boxes drawn, every panel in place.
    await expect(page.getByRole('checkbox', { name: 'Keep Softmax in fp32' })).not.toBeChecked();
    await expect(page.locator('.react-flow__node').first()).toBeVisible();
    await expect(page.getByTestId('counts')).toBeVisible();
    await expect(page.getByTestId('details')).toBeVisible();
    await expect(page.getByTestId('panel-failed')).toHaveCount(0);
    // Keep Softmax again so the next switch also starts from a plan with boundaries.
    const before = await planSeq(page);
    await page.getByRole('checkbox', { name: 'Keep Softmax in fp32' }).check();
    await waitForPlan(page, before);
  }
  // Pegasus (Softmax kept, boundaries drawn) then silero VAD, whose graph is an If: the pair of the issue.
  const silero = 'silero-vad-v5.onnx';
  await dropFiles(page, [join(ROOT, 'fixtures', 'subgraphs', silero)]);
  await waitForGraph(page, silero);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(page.getByTestId('panel-failed')).toHaveCount(0);
  await screenshot(page, 'switch-models');
  expect(pageErrors).toEqual([]);
});

test('a panel that fails to draw shows a message with a retry; the rest of the page keeps working', async ({ page }) => {
  // Fault injection from the test's side (the app is unchanged): while the flag is set, formatting a
  // number throws, as a bug in a panel's render would.
  await page.addInitScript(() => {
    const original = Number.prototype.toLocaleString;
    Number.prototype.toLocaleString = function (this: number, ...args: Parameters<typeof original>) {
      if ((window as unknown as { __castawayBreak?: boolean }).__castawayBreak) throw new Error('injected render failure');
      return original.apply(this, args);
    };
  });
  await page.goto('/');
  const model = 'pegasus-small-o14-encoder.onnx';
  await dropFiles(page, [fixture(model)]);
  await waitForGraph(page, model);

  await page.evaluate(() => ((window as unknown as { __castawayBreak?: boolean }).__castawayBreak = true));
  await page.getByRole('checkbox', { name: 'Keep Softmax in fp32' }).click();
  const failed = page.locator('[data-testid="panel-failed"][data-panel="The counts"]');
  await expect(failed).toBeVisible();
  await expect(failed).toContainText('injected render failure');
  // The page is still there: the top bar, the graph, its boxes.
  await expect(page.getByTestId('file-chip')).toContainText(model);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await screenshot(page, 'panel-failed');

  await page.evaluate(() => ((window as unknown as { __castawayBreak?: boolean }).__castawayBreak = false));
  await failed.getByTestId('panel-retry').click();
  await expect(page.locator('[data-testid="panel-failed"][data-panel="The counts"]')).toHaveCount(0);
  await expect(page.getByTestId('cast-count')).toHaveText(/^\d[\d,]*$/);
  // Any other panel the injected failure reached comes back the same way.
  for (const retry of await page.getByTestId('panel-retry').all()) await retry.click();
  await expect(page.getByTestId('panel-failed')).toHaveCount(0);
});
