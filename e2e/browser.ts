// Which Chromium the browser tests drive: always one from Debian, never a download (docs/ci.md, second pass).
// The suite prefers Debian's `chromium-headless-shell` (the same Chromium version, without the full browser's
// UI process machinery): each spec file took 2-7 s less CPU there, with every test passing. The full browser
// stays the fallback when the shell is not installed, and CHROMIUM_PATH overrides both.
import { existsSync } from 'node:fs';

export const HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';
export const FULL_CHROMIUM = '/usr/bin/chromium';

export function chromiumPath(env: Record<string, string | undefined> = process.env, exists: (path: string) => boolean = existsSync): string {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return exists(HEADLESS_SHELL) ? HEADLESS_SHELL : FULL_CHROMIUM;
}
