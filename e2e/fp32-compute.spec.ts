// Issue 9, item 5 in the app: a blocked Softmax whose CUDA fp16 kernel computes in fp32 runs at fp16 I/O
// with no Cast, and the counts bar and the details panel say so.
import { expect, test } from '@playwright/test';
import { castCount, dropFiles, fixture, planSeq, waitForGraph, waitForPlan } from './helpers';

const PEGASUS = 'pegasus-small-o14-encoder.onnx';

test('blocked Softmax for CUDA: no Cast, shown as fp32 compute at fp16 I/O', async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(PEGASUS)]);
  await waitForGraph(page, PEGASUS);
  let seq = await planSeq(page);
  const initial = await castCount(page);
  await expect(page.getByTestId('fp32-compute')).toHaveCount(0);

  await page.getByTestId('tab-rules').click();
  await page.getByLabel('target EP').selectOption('cuda');
  seq = await waitForPlan(page, seq);
  await page.getByTestId('tab-ops').click();
  await page.getByRole('checkbox', { name: 'Keep Softmax in fp32' }).check();
  seq = await waitForPlan(page, seq);

  await expect(page.getByTestId('fp32-compute')).toHaveText(/^[1-9]\d*$/);
  expect(await castCount(page)).toBe(initial);
  await page.getByTestId('search').fill('Softmax');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('details-fp32-compute')).toContainText('computes in fp32');
});

// The strict-mode recipe setting in the app: onnxruntime's optimizer output of a tiny BERT
// (fixtures/optimizer/bert-base.onnx) has SkipLayerNormalization; blocked for CUDA it keeps its Casts until the
// user says their sessions set enable_skip_layer_norm_strict_mode, and then the counts bar names that option.
test('strict SkipLayerNorm sessions: blocked SkipLayerNormalization without Casts, and the session option named', async ({ page }) => {
  const BERT = 'bert-base.onnx';
  await page.goto('/');
  await dropFiles(page, [fixture(`../optimizer/${BERT}`)]);
  await waitForGraph(page, BERT);
  let seq = await planSeq(page);
  await page.getByTestId('tab-rules').click();
  await expect(page.getByTestId('skip-layer-norm-strict')).toHaveCount(0);
  await page.getByLabel('target EP').selectOption('cuda');
  seq = await waitForPlan(page, seq);
  await page.getByTestId('tab-ops').click();
  await page.getByRole('checkbox', { name: 'Keep SkipLayerNormalization in fp32' }).check();
  seq = await waitForPlan(page, seq);
  const blocked = await castCount(page);
  await expect(page.getByTestId('required-session-options')).toHaveCount(0);

  await page.getByTestId('tab-rules').click();
  await page.getByTestId('skip-layer-norm-strict').check();
  seq = await waitForPlan(page, seq);
  await expect(page.getByTestId('required-session-options')).toHaveText('enable_skip_layer_norm_strict_mode=1');
  await expect(page.getByTestId('fp32-compute')).toHaveText(/^[1-9]\d*$/);
  expect(await castCount(page)).toBeLessThan(blocked);
});
