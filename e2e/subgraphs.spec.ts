// A model whose work happens inside If bodies (silero VAD v5: 684 of its 689 nodes are in 50 nested
// bodies): the bodies open from the If node, their nodes are found by search and kept in fp32 like any
// other, their Casts are drawn, the counts agree everywhere, and the breadcrumbs lead back.

import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { castCount, dropFiles, planSeq, ROOT, screenshot, waitForGraph, waitForPlan } from './helpers';

const SILERO = 'silero-vad-v5.onnx';

async function units(page: import('@playwright/test').Page): Promise<number> {
  return Number(await page.getByTestId('graph').getAttribute('data-units'));
}

test('enter an If body, keep a node in it in fp32, see the counts change, go back by the breadcrumb', async ({ page }, testInfo) => {
  await page.goto('/');
  await dropFiles(page, [join(ROOT, 'fixtures', 'subgraphs', SILERO)]);
  await waitForGraph(page, SILERO);

  // Every node counts, bodies included, the same in the toolbar and in the op table.
  await expect(page.getByTestId('unit-count')).toContainText('689 nodes');
  await expect(page.getByTestId('op-table')).toContainText('LSTM');
  // Nothing blocked: everything goes fp16 through the If, far fewer Casts than onnxruntime's tool (20).
  await expect(page.getByTestId('ort-cast-count')).toHaveText('20');
  const initial = await castCount(page);
  expect(initial).toBeLessThanOrEqual(2);
  await expect(page.getByTestId('body-crumbs')).toHaveCount(0);

  // The If carries a button that opens its branches; the breadcrumbs say where we are.
  const before = await units(page);
  await page.getByTestId('enter-body').first().click();
  await expect(page.getByTestId('body-crumbs')).toBeVisible();
  await expect(page.getByTestId('body-crumbs')).toContainText('_branch');
  await expect.poll(() => units(page)).toBeGreaterThan(before);
  await screenshot(page, '20-silero-body');

  // Search finds an LSTM deep inside; its details say which body it is in; keep it fp32.
  let seq = await planSeq(page);
  await page.getByTestId('search').fill('LSTM');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('details')).toContainText('LSTM');
  await expect(page.getByTestId('details')).toContainText('in body');
  await expect(page.locator('.react-flow__node.selected')).toBeVisible();
  await page.getByTestId('details-block').click();
  seq = await waitForPlan(page, seq);
  const blocked = await castCount(page);
  expect(blocked).toBeGreaterThan(initial);
  await expect(page.locator('.react-flow__node.selected [data-precision="fp32"]')).toBeVisible();
  // The Casts around it are drawn on the edges inside the body.
  await expect(page.locator('.react-flow__edge.boundary').first()).toBeVisible();
  await screenshot(page, '21-silero-lstm-fp32');

  // The lock on a drawn body node toggles it too; undo puts it back.
  await page.keyboard.press('Control+z');
  seq = await waitForPlan(page, seq);
  expect(await castCount(page)).toBe(initial);

  // The per-node preview measures the nodes inside the nested Ifs: Conv/LSTM are ranked, with an impact.
  // Fed a 512-sample chunk from a file chosen before the first run, as the VAD is fed (the defaults run too:
  // e2e/preview-inputs.spec.ts).
  const inputsPath = testInfo.outputPath('silero-inputs.json');
  const chunk = Array.from({ length: 512 }, (_, i) => Math.sin(i / 7) * 0.3);
  writeFileSync(inputsPath, JSON.stringify({ input: [chunk], state: { dims: [2, 1, 128], data: new Array(256).fill(0) }, sr: 16000 }));
  await page.getByTestId('precision-input-files').setInputFiles(inputsPath);
  await expect(page.getByTestId('precision-panel')).toContainText('silero-inputs.json');
  const previewBefore = Number(await page.getByTestId('precision-panel').getAttribute('data-preview-seq'));
  await page.getByTestId('preview-run').click();
  await expect.poll(async () => Number(await page.getByTestId('precision-panel').getAttribute('data-preview-seq')), { timeout: 90_000 }).toBeGreaterThan(previewBefore);
  const ranked = page.getByTestId('precision-ranking').locator('li');
  await expect(ranked.first()).toBeVisible();
  const ops = await ranked.evaluateAll((items) => items.map((item) => item.getAttribute('data-op')));
  expect(ops.filter((op) => op === 'Conv' || op === 'LSTM').length).toBeGreaterThan(0);
  expect(ops).not.toContain('If');
  expect(Number(await ranked.first().getAttribute('data-impact'))).toBeGreaterThan(0);
  await screenshot(page, '22-silero-ranking');

  // Back to the main graph by the first crumb: the bodies close, the If is selected.
  const inside = await units(page);
  await page.getByTestId('crumb-0').click();
  await expect(page.getByTestId('body-crumbs')).toHaveCount(0);
  await expect.poll(() => units(page)).toBeLessThan(inside);
  await expect(page.locator('.react-flow__node.selected')).toContainText('If');
});
