import { describe, expect, it } from 'vitest';
import { coalesced } from './coalesce';

/** A store of one number and a run that waits until the test lets it finish, recording what it ran for. */
function harness(result: (key: number) => boolean = () => true) {
  const state = { value: 0 as number | null, settled: 0 };
  const ran: number[] = [];
  const pending: (() => void)[] = [];
  const coalescer = coalesced<number>({
    wanted: () => state.value,
    same: (a, b) => a === b,
    run: (key) => {
      ran.push(key);
      return new Promise<boolean>((resolve) => pending.push(() => resolve(result(key))));
    },
    settled: () => void state.settled++,
  });
  /** Lets the oldest unfinished run finish, then lets the loop take its next step. */
  const finishOne = async () => {
    pending.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { state, ran, pending, coalescer, finishOne };
}

describe('coalesced', () => {
  it('turns requests made while a run is in flight into one more run, for the latest state', async () => {
    const { state, ran, coalescer, finishOne } = harness();
    state.value = 1;
    const first = coalescer.request();
    for (const value of [2, 3, 4]) {
      state.value = value;
      await coalescer.request(); // joins the loop in flight: resolves at once
    }
    expect(ran).toEqual([1]);
    await finishOne();
    expect(ran).toEqual([1, 4]);
    await finishOne();
    await first;
    expect(ran).toEqual([1, 4]);
    expect(state.settled).toBe(1);
  });

  it('does not run again for a state already done, by itself or by done()', async () => {
    const { state, ran, coalescer, finishOne } = harness();
    state.value = 5;
    const first = coalescer.request();
    await finishOne();
    await first;
    await coalescer.request();
    expect(ran).toEqual([5]);
    coalescer.done(6);
    state.value = 6;
    await coalescer.request();
    expect(ran).toEqual([5]);
    expect(state.settled).toBe(3);
  });

  it('does nothing while nothing is wanted', async () => {
    const { state, ran, coalescer } = harness();
    state.value = null;
    await coalescer.request();
    expect(ran).toEqual([]);
  });

  it('stops looking when a run says so, and runs again on the next request', async () => {
    const { state, ran, coalescer, finishOne } = harness((key) => key !== 1);
    state.value = 1;
    const first = coalescer.request();
    state.value = 2;
    await finishOne();
    await first;
    expect(ran).toEqual([1]);
    const second = coalescer.request();
    await finishOne();
    await second;
    expect(ran).toEqual([1, 2]);
  });

  it('is not left stuck when a run throws', async () => {
    let calls = 0;
    const coalescer = coalesced<number>({
      wanted: () => ++calls,
      same: (a, b) => a === b,
      run: async (key) => {
        if (key === 1) throw new Error('worker crashed');
        return false;
      },
      settled: () => {},
    });
    await expect(coalescer.request()).rejects.toThrow('worker crashed');
    await coalescer.request();
    expect(calls).toBe(2);
  });
});
