// Issue 12, item 7: the impact ranking names the nodes a block list can act on. Identity and other exact
// ops (Reshape, Transpose, Gather, ...) copy or select values and round nothing: they are never ranked.
// pegasus-small-o14-encoder's ranking is checked in precision.spec.ts, on the same preview (default recipe
// and inputs) it runs anyway (docs/ci.md, fifth pass).

import { test } from '@playwright/test';
import { dropFiles, expectNoExactOpsRanked, fixture, screenshot, waitForGraph } from './helpers';

const FILE = 'bert-tiny-o14.onnx';

test(`${FILE}: the ranking has no exact ops`, async ({ page }) => {
  await page.goto('/');
  await dropFiles(page, [fixture(FILE)]);
  await waitForGraph(page, FILE);
  await page.getByTestId('preview-run').click();
  await expectNoExactOpsRanked(page);
  await screenshot(page, `ranking-${FILE.replace('.onnx', '')}`);
});
