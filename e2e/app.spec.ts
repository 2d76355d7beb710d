// The app as a person uses it: drop a model, read the counts, change the block list, undo, export, and
// check that the exported model is valid and byte-identical to what the CLI writes for the same recipe.

import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { castCount, downloadRecipeAndModel, dropFiles, expectCliReproduces, fixture, planSeq, ROOT, screenshot, waitForGraph, waitForPlan } from './helpers';

const PEGASUS = 'pegasus-small-o14-encoder.onnx';

async function blockList(page: Page, testId: 'node-block-list' | 'pattern-list'): Promise<string> {
  await page.getByTestId('tab-rules').click();
  const text = await page.getByTestId(testId).innerText();
  await page.getByTestId('tab-ops').click();
  return text;
}

test('drop a model, edit the block list, undo, export what the CLI would write', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await screenshot(page, '01-welcome');

  await dropFiles(page, [fixture(PEGASUS)]);
  await waitForGraph(page, PEGASUS);
  await expect(page.getByTestId('cast-count')).toHaveText(/^\d[\d,]*$/);
  await expect(page.getByTestId('ort-cast-count')).toHaveText(/^\d[\d,]*$/);
  await expect(page.locator('.react-flow__node').first()).toBeVisible();
  await expect(page.getByTestId('op-table')).toContainText('MatMul');
  const initialCasts = await castCount(page);
  await screenshot(page, '02-graph');

  // An op type into the fp32 block list: the engine re-plans and the counts follow.
  let seq = await planSeq(page);
  await page.getByRole('checkbox', { name: 'Keep Softmax in fp32' }).check();
  seq = await waitForPlan(page, seq);
  await expect(page.getByTestId('op-row-Softmax')).toHaveClass(/blocked/);
  const afterOp = await castCount(page);
  expect(afterOp).toBeGreaterThan(initialCasts);
  // Found by op type, the Softmax is drawn with its scope opened, between two marked Cast boundaries.
  await page.getByTestId('search').fill('Softmax');
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('details')).toContainText('Softmax');
  await expect(page.locator('.react-flow__node.selected [data-precision="fp32"]')).toBeVisible();
  await expect(page.locator('.react-flow__edge.boundary').first()).toBeVisible();
  await screenshot(page, '03-softmax-fp32');

  // A single node, found by search, into the block list.
  await page.getByTestId('search').fill('fc1/MatMul');
  await expect(page.getByTestId('search-results')).toBeVisible();
  await page.getByTestId('search').press('Enter');
  await expect(page.getByTestId('details')).toContainText('fc1/MatMul');
  const nodeName = (await page.getByTestId('details').locator('h2').innerText()).trim();
  await page.getByTestId('details-block').click();
  seq = await waitForPlan(page, seq);
  expect(await blockList(page, 'node-block-list')).toContain(nodeName);
  const afterNode = await castCount(page);
  expect(afterNode).toBeGreaterThan(initialCasts);
  await screenshot(page, '04-node-fp32');

  // Undo the node, then redo it, from the keyboard.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+z');
  seq = await waitForPlan(page, seq);
  expect(await blockList(page, 'node-block-list')).not.toContain(nodeName);
  expect(await castCount(page)).toBe(afterOp);
  await page.keyboard.press('Control+Shift+z');
  seq = await waitForPlan(page, seq);
  expect(await blockList(page, 'node-block-list')).toContain(nodeName);
  expect(await castCount(page)).toBe(afterNode);

  // Export: recipe, model, CLI command.
  await page.getByTestId('tab-export').click();
  await expect(page.getByTestId('cli-command')).toContainText('convert');
  const dir = testInfo.outputPath('export');
  const { recipePath, modelPath } = await downloadRecipeAndModel(page, dir);
  await screenshot(page, '05-export');

  const recipe = JSON.parse(readFileSync(recipePath, 'utf8'));
  expect(recipe.opBlockList).toEqual(['Softmax']);
  expect(recipe.nodeBlockList).toEqual([nodeName]);

  // The model passes onnx.checker (Debian's python3-onnx) ...
  execFileSync(
    '/usr/bin/python3',
    ['-c', 'import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)', modelPath],
    { stdio: 'pipe' },
  );
  // ... and is byte for byte what the CLI writes for the same recipe.
  expectCliReproduces(fixture(PEGASUS), recipePath, modelPath, dir);
});

test('bad files give a message and keep the open model', async ({ page }, testInfo) => {
  await page.goto('/');
  // A file that is not ONNX, before any model is open.
  const dir = testInfo.outputPath('bad');
  mkdirSync(dir, { recursive: true });
  const notOnnx = join(dir, 'notes.onnx');
  writeFileSync(notOnnx, 'This is a text file, not a model.\n'.repeat(20));
  await page.getByTestId('file-input').setInputFiles(notOnnx);
  await expect(page.getByTestId('notice-error')).toBeVisible();
  await expect(page.getByTestId('notice-error')).toContainText('notes.onnx');
  await expect(page.getByTestId('dropzone')).toBeVisible();

  await page.getByTestId('file-input').setInputFiles(fixture(PEGASUS));
  await waitForGraph(page, PEGASUS);
  await expect(page.getByTestId('notice-error')).toHaveCount(0);
  const casts = await castCount(page);

  const truncated = join(dir, 'truncated.onnx');
  writeFileSync(truncated, readFileSync(fixture(PEGASUS)).subarray(0, 200_000));
  const empty = join(dir, 'empty.onnx');
  writeFileSync(empty, new Uint8Array(0));
  for (const [path, name] of [
    [truncated, 'truncated.onnx'],
    [empty, 'empty.onnx'],
    [notOnnx, 'notes.onnx'],
  ] as const) {
    await page.getByTestId('file-input').setInputFiles(path);
    const notice = page.getByTestId('notice-error');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText(name);
    expect((await page.getByTestId('notice-message').innerText()).length).toBeGreaterThan(8);
    if (name === 'truncated.onnx') await screenshot(page, '06-bad-file');
    // The model that was open is still there and still works.
    await expect(page.getByTestId('file-chip')).toContainText(PEGASUS);
    await expect(page.getByTestId('graph')).toHaveAttribute('data-ready', 'true');
    expect(await castCount(page)).toBe(casts);
    await page.getByRole('button', { name: 'Dismiss' }).click();
  }
  const seq = await planSeq(page);
  await page.getByRole('checkbox', { name: 'Keep MatMul in fp32' }).check();
  await waitForPlan(page, seq);

  // A model with its weights in an external-data file: alone it is refused, dropped with the file it opens.
  execFileSync('/usr/bin/python3', [
    '-c',
    'import onnx,sys; onnx.save_model(onnx.load(sys.argv[1]), sys.argv[2], save_as_external_data=True, all_tensors_to_one_file=True, location="bert-ext.data", size_threshold=1024)',
    fixture('bert-tiny-o14.onnx'),
    join(dir, 'bert-ext.onnx'),
  ]);
  await dropFiles(page, [join(dir, 'bert-ext.onnx')]);
  await expect(page.getByTestId('notice-error')).toContainText('bert-ext.onnx');
  await expect(page.getByTestId('file-chip')).toContainText(PEGASUS);
  await dropFiles(page, [join(dir, 'bert-ext.onnx'), join(dir, 'bert-ext.data')]);
  await waitForGraph(page, 'bert-ext.onnx');
  await expect(page.getByTestId('notice-error')).toHaveCount(0);
  await expect(page.getByTestId('details')).toContainText('1 data file');
});

test('samples, ?url=, search, keyboard, scopes, presets, recipe import, light theme', async ({ page }, testInfo) => {
  await page.goto('/?url=/samples/bert-tiny-o14.onnx');
  await waitForGraph(page, 'bert-tiny-o14.onnx');

  await page.goto('/');
  await page.getByTestId('sample-t5-tiny-o14-encoder.onnx').click();
  await waitForGraph(page, 't5-tiny-o14-encoder.onnx');

  // Search by op type centres on a node and shows it.
  await page.keyboard.press('/');
  await expect(page.getByTestId('search')).toBeFocused();
  await page.keyboard.type('Softmax');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('details')).toContainText('Softmax');
  const selected = page.locator('.react-flow__node.selected');
  await expect(selected).toHaveCount(1);
  await expect(selected).toBeInViewport();

  // Arrow keys walk the edges; B keeps the selection in fp32.
  const before = await selected.getAttribute('data-id');
  await page.getByTestId('graph').focus();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => page.locator('.react-flow__node.selected').getAttribute('data-id')).not.toBe(before);
  let seq = await planSeq(page);
  await page.keyboard.press('b');
  seq = await waitForPlan(page, seq);
  await page.keyboard.press('Control+z');
  seq = await waitForPlan(page, seq);

  // A closed scope opens on click; its frame closes again.
  const group = page.locator('.react-flow__node-scope').first();
  if (await group.count()) {
    const units = Number(await page.getByTestId('graph').getAttribute('data-units'));
    await group.click();
    await expect.poll(async () => Number(await page.getByTestId('graph').getAttribute('data-units'))).toBeGreaterThan(units);
  }

  // Presets and a scope rule.
  await page.getByTestId('tab-rules').click();
  await page.getByTestId('preset-norms-softmax-fp32').click();
  seq = await waitForPlan(page, seq);
  await page.getByRole('textbox', { name: 'New name rule' }).fill('/e/block.0/');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  seq = await waitForPlan(page, seq);
  await expect(page.getByTestId('pattern-list')).toContainText('/e/block.0/');
  // A rule that needs backtracking is refused with the reason, and not added.
  await page.getByRole('textbox', { name: 'New name rule' }).fill('re:(a)\\1');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('pattern-refused')).toContainText('backreferences and lookaround are not supported');
  await expect(page.getByTestId('pattern-list')).not.toContainText('re:(a)');

  // A recipe file imported from disk replaces the block list.
  const recipePath = testInfo.outputPath('import.recipe.json');
  writeFileSync(recipePath, JSON.stringify({ opBlockList: ['Pow', 'Sqrt'], keepIoTypes: true }));
  await page.getByTestId('tab-export').click();
  await page.getByTestId('import-recipe-input').setInputFiles(recipePath);
  seq = await waitForPlan(page, seq);
  await expect(page.getByTestId('notice-info')).toContainText('Recipe imported');
  await page.getByTestId('tab-ops').click();
  await expect(page.getByTestId('op-row-Pow')).toHaveClass(/blocked/);
  // A broken one is refused with the engine's message.
  writeFileSync(recipePath, JSON.stringify({ opBlockList: 'Pow' }));
  await page.getByTestId('tab-export').click();
  await page.getByTestId('import-recipe-input').setInputFiles(recipePath);
  await expect(page.getByTestId('notice-error')).toContainText('opBlockList');

  // The suite runs with a dark colour scheme; the toggle switches to light.
  await expect(page.locator('.app')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('.app')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('tab-ops').click();
  await screenshot(page, '07-light-theme');
});
