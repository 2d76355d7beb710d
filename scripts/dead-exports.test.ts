import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findDeadExports } from './dead-exports';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Exports nothing in the tree imports that stay, and why. Each must still be dead (a stale entry fails). */
const ALLOWED: { file: string; name: string; why: string }[] = [
  {
    file: 'src/core/types/ep-kernels.generated.ts',
    name: 'EP_KERNELS_SOURCE',
    why: 'provenance of the generated kernel table, written by scripts/gen-ep-kernels.ts for the reader',
  },
  {
    file: 'src/core/types/schema-table.generated.ts',
    name: 'SCHEMA_SOURCES',
    why: 'provenance of the generated schema table, written by scripts/gen-type-tables.ts for the reader',
  },
];

describe('dead exports', () => {
  it('every exported name of src/ and workers/ is imported by another file', () => {
    const dead = findDeadExports(ROOT);
    const allowed = (entry: { file: string; name: string }) => ALLOWED.some((a) => a.file === entry.file && a.name === entry.name);
    const unexpected = dead.filter((entry) => !allowed(entry)).map((entry) =>
      `${entry.file}: ${entry.name} (${entry.usedInFile ? 'used only in its own file: drop the export keyword' : 'used nowhere: delete it'})`,
    );
    expect(unexpected, 'exports nothing imports').toEqual([]);
    const stale = ALLOWED.filter((entry) => !dead.some((d) => d.file === entry.file && d.name === entry.name));
    expect(stale, 'allow-list entries that are imported now (remove them)').toEqual([]);
  });

  describe('on a small tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'castaway-dead-exports-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('src/lib/a.ts', [
      'export function used() { return helper(); }',
      'export function helper() { return 1; }', // used only here
      'export function unused() { return 2; }',
      'export interface Options { n: number }', // named by an exported signature: API
      'export function withOptions(options: Options) { return options.n; }',
      'export interface Lonely { n: number }', // named by no export: dead
      'const lonely: Lonely = { n: 1 };',
      'export const viaStar = lonely.n;',
      'export const starUnused = 3;',
    ].join('\n'));
    write('src/lib/b.ts', 'export const viaNamespace = 1;\nexport const notViaNamespace = 2;\nexport type Shape = { k: 1 };\nexport type Unnamed = { k: 2 };\n');
    write('src/lib/c.ts', 'export const dynamicOne = 1;\nexport const dynamicTwo = 2;\nexport const dynamicUnused = 3;\nexport type TypeOnly = number;\n');
    write('src/lib/d.ts', 'export const fromEscaped = 1;\nexport const notFromEscaped = 2;\n');
    write('src/lib/index.ts', "export * from './a';\nexport { withOptions as renamed, unused as alsoUnused } from './a';\n");
    write('src/app/main.ts', [
      "import { used, viaStar, renamed } from '../lib/index';",
      "import * as B from '../lib/b';",
      "import * as D from '../lib/d';",
      'const engine = D as typeof D; // escapes: its uses are member names of this file',
      'console.log(engine.fromEscaped);',
      'const { dynamicOne } = await import(\'../lib/c\');',
      "const two = (await import('../lib/c')).dynamicTwo;",
      "type T = import('../lib/c').TypeOnly extends number ? B.Shape : never;",
      'console.log(used(), viaStar, renamed({ n: 1 }), B.viaNamespace, dynamicOne, two);',
    ].join('\n'));
    write('src/lib/a.test.ts', "import { withOptions } from './a';\nwithOptions({ n: 2 });\n");

    it('finds what nothing imports, through re-exports, `export *`, namespaces and import()', () => {
      const dead = findDeadExports(root, ['src'], ['src']).map((entry) => `${entry.file} ${entry.name} ${entry.kind}${entry.usedInFile ? ' (in file)' : ''}`);
      expect(dead.sort()).toEqual([
        'src/lib/a.ts Lonely type (in file)',
        'src/lib/a.ts helper value (in file)',
        'src/lib/a.ts starUnused value',
        'src/lib/a.ts unused value',
        'src/lib/b.ts Unnamed type',
        'src/lib/b.ts notViaNamespace value',
        'src/lib/c.ts dynamicUnused value',
        'src/lib/d.ts notFromEscaped value',
        'src/lib/index.ts alsoUnused re-export',
      ]);
    });
  });
});
