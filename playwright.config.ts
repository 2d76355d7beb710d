import { defineConfig } from '@playwright/test';
import { chromiumPath, FULL_CHROMIUM } from './e2e/browser';

// The e2e suite and the browser benchmark run against the built site (vite preview), in Debian's Chromium:
// never a downloaded browser. The suite runs in its headless shell where installed (e2e/browser.ts); the
// benchmark keeps the full browser, so that its figures stay comparable with docs/app-bench.md's.
// `npm run test:e2e` runs the suite; `npm run bench:app` the benchmark.
const PORT = Number(process.env.CASTAWAY_E2E_PORT ?? 4173);
const bench = process.env.CASTAWAY_BENCH === '1';

export default defineConfig({
  testDir: 'e2e',
  testMatch: bench ? /bench\.spec\.ts$/ : /\.spec\.ts$/,
  testIgnore: bench ? [] : [/bench\.spec\.ts$/],
  // Separate folders: Playwright empties its output folder on each run; screenshots go to test-results/screenshots.
  outputDir: bench ? 'test-results/bench' : 'test-results/e2e',
  timeout: bench ? 240_000 : 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    colorScheme: 'dark',
    acceptDownloads: true,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: bench ? (process.env.CHROMIUM_PATH ?? FULL_CHROMIUM) : chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--enable-precise-memory-info',
      ],
    },
  },
  webServer: {
    command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
