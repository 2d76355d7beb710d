// Dead exports: exported names of src/ and workers/ that no other file imports. An export nobody imports
// is either dead code or a file-local helper that looks like public API; both make the next reader ask who
// depends on it. scripts/dead-exports.test.ts runs this on the tree, so `npm test` fails on a new one.
//   npx tsx scripts/dead-exports.ts        lists them
//
// TypeScript 7's package has no compiler API, so this reads the files with the parser vite already ships
// (rolldown's oxc) and follows imports itself: named, default and namespace imports, `export ... from`
// and `export *` chains, `import('...')` expressions and types. What it cannot follow it treats as used.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'rolldown/utils';

/** Folders whose files import; of these, SUBJECTS' non-test files are checked. */
const CONSUMERS = ['src', 'workers', 'scripts', 'e2e', 'bin'];
const SUBJECTS = ['src', 'workers'];
const SOURCE = /\.(m?[jt]sx?|cjs)$/;
const TEST = /\.(test|spec|property\.test)\.tsx?$/;

export interface DeadExport {
  /** Path relative to the root, with forward slashes. */
  file: string;
  name: string;
  kind: 'value' | 'type' | 're-export';
  /** Whether the file itself uses the name (then the export keyword goes, not the code). */
  usedInFile: boolean;
}

interface ModuleFacts {
  /** Names this file declares and exports (including `export { local }` of its own declarations). */
  declared: Set<string>;
  /** Those of them that are types (interfaces and type aliases). */
  types: Set<string>;
  /** Each exported declaration's names and the text callers see (a function's without its body). */
  signatures: { names: string[]; text: string }[];
  /** `export { a as b } from './x'` and `import { a } from './x'; export { a as b }`: b → x's a. */
  reexports: Map<string, { file: string; name: string }>;
  /** `export * from './x'`. */
  stars: string[];
}

type Node = { type: string; [key: string]: unknown };

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The project file a relative specifier names, or null for packages and files outside the project. */
function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | null {
  if (!specifier.startsWith('.')) return null;
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, ''));
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (files.has(candidate)) return candidate;
  }
  return null;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** Every node below `node`, with its parent. */
function walk(node: Node, visit: (node: Node, parent: Node | null) => void, parent: Node | null = null): void {
  visit(node, parent);
  for (const key of Object.keys(node)) {
    if (key === 'parent') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) walk(child, visit, node);
    } else if (isNode(value)) {
      walk(value, visit, node);
    }
  }
}

function nameOf(node: unknown): string | null {
  if (!isNode(node)) return null;
  if (node.type === 'Identifier') return node.name as string;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  return null;
}

/** The names a binding pattern binds (`{ a, b: [c] }` binds a and c; type annotations bind nothing). */
function patternNames(pattern: Node): string[] {
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name as string];
    case 'ObjectPattern':
      return (pattern.properties as Node[]).flatMap((property) => patternNames((property.type === 'RestElement' ? property.argument : property.value) as Node));
    case 'ArrayPattern':
      return (pattern.elements as (Node | null)[]).flatMap((element) => (element ? patternNames(element) : []));
    case 'RestElement':
      return patternNames(pattern.argument as Node);
    case 'AssignmentPattern':
      return patternNames(pattern.left as Node);
    default:
      return [];
  }
}

/** The names a declaration binds (`export const { a, b } = ...` binds two). */
function boundNames(declaration: Node): string[] {
  if (declaration.type === 'VariableDeclaration') return (declaration.declarations as Node[]).flatMap((declarator) => patternNames(declarator.id as Node));
  const id = nameOf(declaration.id);
  return id ? [id] : [];
}

/**
 * Exported names of `files` under `root` that nothing imports, in file order. A name counts as imported when
 * a file other than its own imports it, directly or through re-exports.
 */
export function findDeadExports(root: string, consumers = CONSUMERS, subjects = SUBJECTS): DeadExport[] {
  const all = consumers.flatMap((dir) => sourceFiles(join(root, dir)));
  const files = new Set(all);
  const facts = new Map<string, ModuleFacts>();
  /** file → names other files use. */
  const used = new Map<string, Set<string>>();
  const texts = new Map<string, string>();
  const use = (file: string, name: string) => {
    let names = used.get(file);
    if (!names) used.set(file, (names = new Set()));
    names.add(name);
  };
  /** Modules whose namespace escaped into a variable (`as typeof X`, passed on): the names they may be used by. */
  const memberNames = new Map<string, Set<string>>();

  for (const file of all) {
    const text = readFileSync(file, 'utf8');
    texts.set(file, text);
    const { program, errors } = parseSync(file, text);
    if (errors.length) throw new Error(`${relative(root, file)}: ${errors[0].message}`);
    const own: ModuleFacts = { declared: new Set(), types: new Set(), signatures: [], reexports: new Map(), stars: [] };
    facts.set(file, own);
    const importedBindings = new Map<string, { file: string; name: string }>();
    const namespaces = new Map<string, string>();
    const members = new Set<string>();
    const escapes: string[] = [];

    for (const statement of program.body as unknown as Node[]) {
      if (statement.type === 'ImportDeclaration') {
        const target = resolveSpecifier(file, (statement.source as Node).value as string, files);
        if (!target) continue;
        for (const specifier of (statement.specifiers as Node[]) ?? []) {
          const local = nameOf(specifier.local)!;
          if (specifier.type === 'ImportNamespaceSpecifier') {
            namespaces.set(local, target);
            continue;
          }
          const name = specifier.type === 'ImportDefaultSpecifier' ? 'default' : nameOf(specifier.imported)!;
          importedBindings.set(local, { file: target, name });
          use(target, name);
        }
      } else if (statement.type === 'ExportNamedDeclaration') {
        const declaration = statement.declaration as Node | null;
        if (declaration) {
          const names = boundNames(declaration);
          for (const name of names) own.declared.add(name);
          if (declaration.type === 'TSInterfaceDeclaration' || declaration.type === 'TSTypeAliasDeclaration') own.types.add(names[0]);
          const body = declaration.type === 'FunctionDeclaration' && isNode(declaration.body) ? declaration.body : null;
          own.signatures.push({ names, text: text.slice(declaration.start as number, (body ?? declaration)[body ? 'start' : 'end'] as number) });
        }
        const source = statement.source as Node | null;
        const target = source ? resolveSpecifier(file, source.value as string, files) : null;
        for (const specifier of (statement.specifiers as Node[]) ?? []) {
          const local = nameOf(specifier.local)!;
          const exported = nameOf(specifier.exported)!;
          if (source) {
            if (target) own.reexports.set(exported, { file: target, name: local });
          } else if (importedBindings.has(local)) {
            own.reexports.set(exported, importedBindings.get(local)!);
          } else {
            own.declared.add(exported);
          }
        }
      } else if (statement.type === 'ExportDefaultDeclaration') {
        own.declared.add('default');
      } else if (statement.type === 'ExportAllDeclaration') {
        const target = resolveSpecifier(file, (statement.source as Node).value as string, files);
        if (!target) continue;
        const exported = nameOf(statement.exported);
        if (exported) {
          // `export * as ns from './x'`: one name standing for the whole module.
          own.reexports.set(exported, { file: target, name: '*' });
        } else {
          own.stars.push(target);
        }
      }
    }

    const parents = new Map<Node, Node | null>();
    walk(program as unknown as Node, (node, parent) => void parents.set(node, parent));
    /** The node that uses `node`'s value, past parentheses. */
    const outer = (node: Node): Node | undefined => {
      let parent = parents.get(node) ?? undefined;
      while (parent?.type === 'ParenthesizedExpression') parent = parents.get(parent) ?? undefined;
      return parent;
    };
    walk(program as unknown as Node, (node, parent) => {
      // `X.name` and `X.Type` for a namespace X, and every member name (for escaped namespaces).
      if (node.type === 'MemberExpression' && !node.computed) {
        const property = nameOf(node.property);
        if (property) members.add(property);
        const object = nameOf(node.object);
        if (property && object && namespaces.has(object) && (node.object as Node).type === 'Identifier') use(namespaces.get(object)!, property);
      }
      if (node.type === 'TSQualifiedName') {
        const left = nameOf(node.left);
        const right = nameOf(node.right);
        if (left && right && namespaces.has(left)) use(namespaces.get(left)!, right);
      }
      // `const { a, b } = X` for a namespace X.
      if (node.type === 'VariableDeclarator' && isNode(node.id) && node.id.type === 'ObjectPattern') {
        const init = nameOf(node.init);
        const awaited = isNode(node.init) && node.init.type === 'AwaitExpression' ? node.init.argument : null;
        const dynamic = isNode(awaited) && awaited.type === 'ImportExpression' ? awaited : null;
        const target = init && namespaces.has(init) ? namespaces.get(init)! : dynamic ? resolveSpecifier(file, nameOf(dynamic.source) ?? '', files) : null;
        if (target) for (const property of node.id.properties as Node[]) if (property.type === 'Property') use(target, nameOf(property.key)!);
      }
      // An identifier naming a namespace anywhere else (passed on, `typeof X`): it escapes.
      if (node.type === 'Identifier' && namespaces.has(node.name as string) && parent) {
        const asObject = parent.type === 'MemberExpression' && parent.object === node && !parent.computed;
        const asQualifier = parent.type === 'TSQualifiedName' && parent.left === node;
        const asDestructured = parent.type === 'VariableDeclarator' && parent.init === node && isNode(parent.id) && parent.id.type === 'ObjectPattern';
        const asBinding = parent.type === 'ImportNamespaceSpecifier';
        if (!asObject && !asQualifier && !asDestructured && !asBinding) escapes.push(namespaces.get(node.name as string)!);
      }
      // `import('./x')`: `(await import('./x')).name` and `const { name } = await import('./x')` name what
      // they use; any other use escapes.
      if (node.type === 'ImportExpression') {
        const target = resolveSpecifier(file, nameOf(node.source) ?? '', files);
        if (!target) return;
        const awaited = parents.get(node);
        const user = awaited?.type === 'AwaitExpression' ? outer(awaited) : undefined;
        if (user?.type === 'MemberExpression' && !user.computed) use(target, nameOf(user.property)!);
        else if (!(user?.type === 'VariableDeclarator' && isNode(user.id) && user.id.type === 'ObjectPattern')) escapes.push(target);
      }
      // `import('./x').Name` (or `.Name.Inner`) in a type.
      if (node.type === 'TSImportType') {
        const target = resolveSpecifier(file, nameOf(node.source) ?? '', files);
        let qualifier = node.qualifier as Node | null;
        while (qualifier?.type === 'TSQualifiedName') qualifier = qualifier.left as Node;
        if (target && qualifier) use(target, nameOf(qualifier)!);
        else if (target) escapes.push(target);
      }
    });
    for (const target of escapes) {
      let names = memberNames.get(target);
      if (!names) memberNames.set(target, (names = new Set()));
      for (const name of members) names.add(name);
    }
  }

  // Names used through an escaped namespace: any member name of the importing file.
  for (const [target, names] of memberNames) for (const name of names) use(target, name);

  // Follow re-exports and `export *` until nothing new is used.
  const seen = new Set<string>();
  const queue: [string, string][] = [...used].flatMap(([file, names]) => [...names].map((name) => [file, name] as [string, string]));
  while (queue.length) {
    const [file, name] = queue.pop()!;
    const key = `${file}\0${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    use(file, name);
    const own = facts.get(file);
    if (!own) continue;
    const next = own.reexports.get(name);
    if (next) {
      if (next.name === '*') for (const inner of exportedNames(next.file, facts)) queue.push([next.file, inner]);
      else queue.push([next.file, next.name]);
      continue;
    }
    if (own.declared.has(name)) continue;
    for (const star of own.stars) if (exportedNames(star, facts).has(name)) queue.push([star, name]);
  }

  const dead: DeadExport[] = [];
  for (const file of all) {
    const path = relative(root, file).split('\\').join('/');
    if (!subjects.some((dir) => path.startsWith(`${dir}/`)) || TEST.test(path)) continue;
    const own = facts.get(file)!;
    const names = used.get(file) ?? new Set();
    for (const name of [...own.declared, ...own.reexports.keys()]) {
      if (names.has(name)) continue;
      const word = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
      const kind = own.reexports.has(name) ? 're-export' : own.types.has(name) ? 'type' : 'value';
      // A type that another export's signature names is part of that export's API: callers may name it.
      if (kind === 'type' && own.signatures.some((signature) => !signature.names.includes(name) && word.test(signature.text))) continue;
      const occurrences = name === 'default' ? 2 : (texts.get(file)!.match(new RegExp(word, 'g')) ?? []).length;
      dead.push({ file: path, name, kind, usedInFile: occurrences > 1 });
    }
  }
  return dead;
}

/** Every name a module exports, through its `export *` chains. */
function exportedNames(file: string, facts: ReadonlyMap<string, ModuleFacts>, seen = new Set<string>()): Set<string> {
  const own = facts.get(file);
  if (!own || seen.has(file)) return new Set();
  seen.add(file);
  const names = new Set([...own.declared, ...own.reexports.keys()]);
  for (const star of own.stars) for (const name of exportedNames(star, facts, seen)) if (name !== 'default') names.add(name);
  return names;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'dead-exports.ts')) {
  const dead = findDeadExports(resolve(import.meta.dirname, '..'));
  for (const entry of dead) console.log(`${entry.file}\t${entry.kind} ${entry.name}${entry.usedInFile ? '\t(used in its file)' : ''}`);
  console.log(`${dead.length} exports nothing imports`);
}
