// The companion panel against the real companion (onnxruntime-node, CPU EP here): the app picks up the
// companion from its own URL, tells a wrong token apart, times the fp32 and the converted model and shows
// the two medians, the speed-up and the converted model's output error.

import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dropFiles, fixture, ROOT, screenshot, waitForGraph } from './helpers';

const MODEL = 'bert-tiny-o14.onnx';

let companion: ChildProcess | null = null;
let printedUrl = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

test.beforeAll(async ({}, testInfo) => {
  const origin = new URL(String(testInfo.project.use.baseURL)).origin;
  const port = await freePort();
  // Its own process group, so that killing it also ends npx's children and the inference process.
  companion = spawn('npx', ['tsx', 'src/companion/server/main.ts', '--port', String(port), '--origin', origin], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // CPU EP whatever the machine: the test checks the CPU status line and runs in seconds.
    env: { ...process.env, CASTAWAY_DISABLE_CUDA: '1' },
  });
  let output = '';
  printedUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the companion printed no URL in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Castaway companion on (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    companion!.stdout!.on('data', onData);
    companion!.stderr!.on('data', onData);
    companion!.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the companion exited (${code}):\n${output}`));
    });
  });
});

test.afterAll(() => {
  if (companion?.pid && companion.exitCode === null) {
    try {
      process.kill(-companion.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  companion = null;
});

test('companion: found from the page URL, wrong token told apart, CPU timings and error of the converted model', async ({ page }) => {
  test.setTimeout(60_000);
  // Opened with ?companion=<printed URL>: the panel opens and connects once a model is open, and the token
  // leaves the address bar.
  await page.goto(`/?companion=${encodeURIComponent(printedUrl)}`);
  await expect(page).not.toHaveURL(/token|companion=/);
  await dropFiles(page, [fixture(MODEL)]);
  await waitForGraph(page, MODEL);

  const panel = page.getByTestId('companion-panel');
  await panel.scrollIntoViewIfNeeded();
  await expect(panel).toHaveAttribute('data-open', 'true');
  const status = page.getByTestId('companion-status');
  await expect(status).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
  await expect(status).toHaveAttribute('data-ep', 'cpu');
  await expect(page.getByTestId('companion-ep')).toHaveText('CPU');
  await expect(page.getByTestId('companion-cpu-reason')).toContainText('CASTAWAY_DISABLE_CUDA');
  await expect(page.getByTestId('companion-ort')).toHaveText(/^\d+\.\d+/);

  // A wrong token: the panel says so (and stays usable).
  const wrong = printedUrl.replace(/token=.*/, 'token=not-the-token');
  await page.getByTestId('companion-url').fill(wrong);
  await expect(page.getByTestId('companion-url')).toHaveValue(new URL(printedUrl).origin);
  await page.getByTestId('companion-connect').click();
  await expect(status).toHaveAttribute('data-state', 'wrong-token');
  await expect(page.getByTestId('companion-message')).toContainText(/wrong token/i);

  // The printed URL pasted into the URL field fills in the token.
  await page.getByTestId('companion-url').fill(printedUrl);
  await expect(page.getByTestId('companion-token')).toHaveValue(new URL(printedUrl).searchParams.get('token')!);
  await page.getByTestId('companion-connect').click();
  await expect(status).toHaveAttribute('data-state', 'connected');
  await expect(status).toContainText('connected');
  // The token is kept for this tab's session only: never in localStorage, which any page of the origin reads later.
  const token = new URL(printedUrl).searchParams.get('token')!;
  const stored = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: sessionStorage.getItem('castaway.companion.token'),
  }));
  expect(stored.local).not.toContain(token);
  expect(stored.session).toBe(token);

  // Time both models: few runs on a 2-core machine.
  await expect(page.getByTestId('companion-dim-batch')).toHaveValue('1');
  await page.getByTestId('companion-runs').fill('5');
  await page.getByTestId('companion-warmup').fill('1');
  await page.getByTestId('companion-run').click();
  const result = page.getByTestId('companion-result');
  await expect(result).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('companion-error-message')).toHaveCount(0);
  for (const id of ['companion-fp32', 'companion-fp16']) {
    const row = page.getByTestId(id);
    await expect(row).toHaveAttribute('data-ep', 'CPU');
    const median = Number(await row.getAttribute('data-median'));
    expect(median).toBeGreaterThan(0);
    await expect(row).toContainText(/\d ms/);
  }
  await expect(page.getByTestId('companion-speedup')).toHaveText(/^×\d/);
  expect(Number(await result.getAttribute('data-speedup'))).toBeGreaterThan(0);
  await expect(page.getByTestId('companion-error')).toHaveText(/\d/);
  const maxAbs = Number(await result.getAttribute('data-max-abs'));
  const cosine = Number(await result.getAttribute('data-cosine'));
  // bert-tiny in fp16 against fp32: small but non-zero error, same direction.
  expect(maxAbs).toBeGreaterThan(0);
  expect(maxAbs).toBeLessThan(1);
  expect(cosine).toBeGreaterThan(0.99);
  await expect(page.getByTestId('companion-errors').locator('tbody tr')).not.toHaveCount(0);
  await screenshot(page, 'companion-timings');
});
