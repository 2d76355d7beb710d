import { describe, expect, it } from 'vitest';
import { appended } from './short-lists';

describe('appended', () => {
  it('copies a list of up to three items into a new one (the original untouched), then pushes', () => {
    const empty: number[] = [];
    let list = empty;
    const seen: number[][] = [];
    for (let i = 0; i < 6; i++) {
      const before = list;
      list = appended(list, i);
      expect(list).toEqual([0, 1, 2, 3, 4, 5].slice(0, i + 1));
      if (i < 4) expect(list).not.toBe(before); // a shared empty list (constraints.ts NO_READERS) stays empty
      else expect(list).toBe(before);
      seen.push(before);
    }
    expect(empty).toEqual([]);
    expect(seen[2]).toEqual([0, 1]);
  });
});
