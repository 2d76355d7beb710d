// Name rules (recipe `patterns`, CLI `--pattern`) compiled to matchers that run in time linear in the name,
// whatever the rule: rules arrive in shared recipe files, and JavaScript's backtracking RegExp takes seconds
// on `re:(a+)+$` against a 27-character name (and a glob compiled to `.*` regexes, minutes on 300 characters).
//   - "re:<regex>": RE2 syntax through re2js (an automaton, no backtracking), case-insensitive, searched
//     anywhere in the name. Syntax that needs backtracking (backreferences, lookaround) is refused.
//   - a rule with '*': a glob over the whole name, '*' any run of characters, everything else literal;
//     matched segment by segment with indexOf, never revisiting a choice.
//   - anything else: a name prefix (a scope such as "/decoder/layers.0/").
import { RE2JS } from 're2js';

export type NameRule = (name: string) => boolean;

/** Why a rule cannot be used, said to the user; thrown by compileNameRule. */
export class RuleRefused extends Error {
  constructor(
    readonly rule: string,
    readonly reason: string,
  ) {
    super(`Pattern "${rule}" is refused: ${reason}`);
  }
}

/** Longest rule accepted: a regex's automaton grows with its text, and no real rule is near this. */
const MAX_RULE_LENGTH = 1000;

/**
 * A glob matcher: the first segment is a prefix, the last a suffix, and each middle segment is taken at its
 * leftmost place after the previous one. Leftmost is always right for '*'-only globs (a later place leaves
 * less room for the rest), so there is nothing to backtrack: O(name length x rule length) at worst.
 */
export function globMatcher(glob: string): NameRule {
  const parts = glob.split('*');
  if (parts.length === 1) return (name) => name === glob;
  const first = parts[0];
  const last = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  const fixed = first.length + last.length;
  return (name) => {
    if (name.length < fixed || !name.startsWith(first) || !name.endsWith(last)) return false;
    let at = first.length;
    const end = name.length - last.length;
    for (const part of middle) {
      const found = name.indexOf(part, at);
      if (found < 0 || found + part.length > end) return false;
      at = found + part.length;
    }
    return true;
  };
}

function regexMatcher(rule: string): NameRule {
  const source = rule.slice(3);
  let re: RE2JS;
  try {
    re = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  } catch (error) {
    const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
    const why = /\\[1-9]|\(\?[=!<]/.test(source)
      ? 'backreferences and lookaround are not supported (rules are matched in linear time, RE2 syntax)'
      : 'it is not a valid regular expression in RE2 syntax';
    throw new RuleRefused(rule, `${why}: ${detail}`);
  }
  return (name) => re.test(name);
}

/** Compiled rules, each with its answers per name: re2js is ~10x slower than RegExp, and every re-plan (one per toggle in the app) asks each rule about every node name again. */
const cache = new Map<string, { test: NameRule; seen: Map<string, boolean> }>();
const MAX_CACHED_RULES = 64;
const MAX_ANSWERS_PER_RULE = 1 << 20;

function compileUncached(rule: string): NameRule {
  if (!rule) throw new RuleRefused(rule, 'an empty pattern would block every node');
  if (rule.length > MAX_RULE_LENGTH) throw new RuleRefused(rule.slice(0, 40) + '…', `it is longer than ${MAX_RULE_LENGTH} characters`);
  if (rule.startsWith('re:')) return regexMatcher(rule);
  if (rule.includes('*')) return globMatcher(rule);
  return (name) => name.startsWith(rule);
}

/** The matcher of a rule; throws RuleRefused with the reason when the rule cannot be used. */
export function compileNameRule(rule: string): NameRule {
  let entry = cache.get(rule);
  if (!entry) {
    const test = compileUncached(rule);
    if (cache.size >= MAX_CACHED_RULES) cache.delete(cache.keys().next().value as string);
    entry = { test, seen: new Map() };
    cache.set(rule, entry);
  }
  const { test, seen } = entry;
  return (name) => {
    let answer = seen.get(name);
    if (answer === undefined) {
      answer = test(name);
      if (seen.size >= MAX_ANSWERS_PER_RULE) seen.clear();
      seen.set(name, answer);
    }
    return answer;
  };
}

/** The reason a rule is refused, or undefined when it can be used (for forms that check as the user types). */
export function ruleProblem(rule: string): string | undefined {
  try {
    compileNameRule(rule);
    return undefined;
  } catch (error) {
    if (error instanceof RuleRefused) return error.message;
    throw error;
  }
}
