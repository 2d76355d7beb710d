// Name rules must match in time linear in the name whatever the rule (issue 10 #2): adversarial regexes and
// globs against long names finish in milliseconds, answers agree with a plain reference, and rules that need
// backtracking are refused with the reason.
import { describe, expect, it } from 'vitest';
import { compileNameRule, globMatcher, ruleProblem, RuleRefused } from './name-rule';

/** Wall time of `f`, ms. */
function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

/** The reference glob semantics: dynamic programming over (rule, name) positions, no regex. */
function globReference(glob: string, name: string): boolean {
  let row = new Array<boolean>(name.length + 1).fill(false);
  row[0] = true;
  for (const c of glob) {
    const next = new Array<boolean>(name.length + 1).fill(false);
    if (c === '*') {
      for (let j = 0; j <= name.length; j++) next[j] = row[j] || (j > 0 && next[j - 1]);
    } else {
      for (let j = 1; j <= name.length; j++) next[j] = row[j - 1] && name[j - 1] === c;
    }
    row = next;
  }
  return row[name.length];
}

describe('name rules: linear time', () => {
  // [rule, name, whether it matches]
  const cases: [string, string, boolean?][] = [
    ['re:(a+)+$', 'a'.repeat(27) + '!'],
    ['re:(a+)+$', 'a'.repeat(100_000) + '!'],
    ['re:(a|a)*b', 'a'.repeat(50_000)],
    ['re:(x+x+)+y', 'x'.repeat(20_000)],
    ['re:(.*a){20}b$', 'a'.repeat(5_000) + 'c'],
    ['re:(.*a){20}', 'a'.repeat(5_000) + 'b', true],
    ['re:^(\\w+\\s?)*$', 'word '.repeat(5_000) + '!'],
    ['*a*a*a*a*a*b', 'a'.repeat(300)],
    ['*a*a*a*a*a*b', 'a'.repeat(100_000)],
    ['*' + 'a*'.repeat(200) + 'b', 'a'.repeat(20_000)],
    ['/enc' + '*x'.repeat(100), '/enc' + 'x'.repeat(50_000) + 'y'],
  ];
  for (const [rule, name, expected = false] of cases) {
    it(`${rule.slice(0, 30)} on a ${name.length}-character name`, () => {
      const match = compileNameRule(rule);
      let answer = true;
      const ms = timed(() => (answer = match(name)));
      expect(answer).toBe(expected);
      // backtracking engines take seconds to hours here; an automaton takes well under a second even on a
      // loaded 2-core machine
      expect(ms).toBeLessThan(1500);
    });
  }

  it('globs agree with the reference on random rules and names', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const word = (n: number, alphabet: string) => Array.from({ length: n }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 3000; i++) {
      const glob = word(1 + rand(8), 'ab**');
      const name = word(rand(12), 'ab');
      expect(globMatcher(glob)(name), `${glob} ~ ${name}`).toBe(globReference(glob, name));
    }
  });

  it('keeps the meaning of each kind of rule', () => {
    expect(compileNameRule('re:layer_?norm|/softmax')('/h.0/LayerNorm/Mul')).toBe(true); // case-insensitive
    expect(compileNameRule('re:^/h\\.1/')('/h.1/attn')).toBe(true);
    expect(compileNameRule('re:^/h\\.1/')('/h.10/attn')).toBe(false);
    expect(compileNameRule('re:^/h\\.1/')('/x/h.1/attn')).toBe(false);
    expect(compileNameRule('*LayerNorm*')('/h.0/LayerNorm/Mul')).toBe(true);
    expect(compileNameRule('*LayerNorm*')('/h.0/layernorm/Mul')).toBe(false); // globs are case-sensitive
    expect(compileNameRule('*.weight')('a.weight')).toBe(true);
    expect(compileNameRule('*.weight')('aXweight')).toBe(false); // '.' is literal in a glob
    expect(compileNameRule('/enc/')('/enc/layer')).toBe(true);
    expect(compileNameRule('/enc/')('/dec/enc/')).toBe(false);
  });

  it('refuses backreferences, lookaround and invalid syntax, saying why', () => {
    for (const rule of ['re:(a)\\1', 're:(?=a)b', 're:(?!a)b', 're:(?<=a)b', 're:(?<!a)b']) {
      expect(() => compileNameRule(rule)).toThrow(RuleRefused);
      expect(ruleProblem(rule)).toMatch(/backreferences and lookaround are not supported/);
    }
    expect(ruleProblem('re:(')).toMatch(/not a valid regular expression/);
    expect(ruleProblem('')).toMatch(/empty pattern/);
    expect(ruleProblem('re:' + 'a'.repeat(2000))).toMatch(/longer than/);
    expect(ruleProblem('re:a{2,5}')).toBeUndefined();
  });
});
