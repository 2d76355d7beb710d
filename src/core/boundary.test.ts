// The engine's boundary, checked (the project has no linter): code outside src/core imports the engine only
// through src/core/index.ts, so no file inside core becomes public API by accident. Tests inside core may
// import what they test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CORE = join(ROOT, 'src/core');
const SCANNED = ['src', 'workers', 'scripts', 'e2e', 'bin'];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(m?[jt]sx?|cjs)$/.test(name) ? [path] : [];
  });
}

/** Module specifiers of static imports and re-exports, dynamic imports and requires. */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) found.push(m[1]);
  return found;
}

function reachesPastIndex(file: string, specifier: string): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = resolve(dirname(file), specifier).replace(/\.(js|ts)$/, '');
  if (target !== CORE && !target.startsWith(`${CORE}/`)) return false;
  return target !== join(CORE, 'index');
}

describe('the src/core boundary', () => {
  it('finds imports in every form it checks', () => {
    const text = "import { a } from '../core/x';\nimport type {\n  B,\n} from '../core/y.js';\nexport * from '../core/z';\nconst m = await import('../core/w');";
    expect(specifiers(text)).toEqual(['../core/x', '../core/y.js', '../core/z', '../core/w']);
  });

  it('is crossed only through src/core/index.ts', () => {
    const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir))).filter((file) => !file.startsWith(`${CORE}/`));
    expect(files.length).toBeGreaterThan(50);
    const violations = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((s) => reachesPastIndex(file, s))
        .map((s) => `${relative(ROOT, file)} imports '${s}'`),
    );
    expect(violations, 'import these through src/core/index.ts (export what is missing there)').toEqual([]);
  });
});
