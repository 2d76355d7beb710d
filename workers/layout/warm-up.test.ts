import { describe, expect, it } from 'vitest';
import { WarmUp } from './warm-up';

describe('WarmUp', () => {
  it('runs every round when no real work arrives', async () => {
    const warm = new WarmUp();
    let calls = 0;
    const outcome = await warm.run(async () => void calls++, 3);
    expect(calls).toBe(3);
    expect(outcome.rounds).toBe(3);
  });

  it('starts no further round once real work has arrived, but finishes the one under way', async () => {
    const warm = new WarmUp();
    let calls = 0;
    let finished = 0;
    const outcome = await warm.run(async () => {
      calls++;
      if (calls === 1) warm.stop(); // a model arrives during the first round
      await Promise.resolve();
      finished++;
    }, 3);
    expect(calls).toBe(1);
    expect(finished).toBe(1);
    expect(outcome.rounds).toBe(1);
  });

  it('runs nothing when real work came first', async () => {
    const warm = new WarmUp();
    warm.stop();
    let calls = 0;
    expect((await warm.run(async () => void calls++, 3)).rounds).toBe(0);
    expect(calls).toBe(0);
  });
});
