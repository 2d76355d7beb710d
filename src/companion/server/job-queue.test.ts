import { describe, expect, it } from 'vitest';
import { CompanionError } from '../shared/errors.js';
import { JobQueue, type JobExecutor } from './job-queue.js';

/** Jobs are ms to "run"; tracks concurrency and order; abort() ends the job in flight. */
class FakeExecutor implements JobExecutor<number, number> {
  active = 0;
  maxActive = 0;
  order: number[] = [];
  aborts = 0;
  private cancel: (() => void) | undefined;
  execute(ms: number): Promise<number> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    this.order.push(ms);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.active--;
        this.cancel = undefined;
        resolve(ms * 2);
      }, ms);
      this.cancel = () => {
        clearTimeout(t);
        this.active--;
        reject(new Error('killed'));
      };
    });
  }
  abort(): void {
    this.aborts++;
    this.cancel?.();
    this.cancel = undefined;
  }
}

describe('JobQueue', () => {
  it('runs one job at a time, in order, and completes all', async () => {
    const ex = new FakeExecutor();
    const q = new JobQueue(ex, { timeoutMs: 1000, maxWaiting: 10 });
    const jobs = [30, 5, 20, 1, 10].map((ms) => q.enqueue(ms));
    expect(q.running).toBe(1);
    expect(q.waiting).toBe(4);
    expect(await Promise.all(jobs)).toEqual([60, 10, 40, 2, 20]);
    expect(ex.maxActive).toBe(1);
    expect(ex.order).toEqual([30, 5, 20, 1, 10]);
    expect(q.running + q.waiting).toBe(0);
  });

  it('times a job out, aborts it, and goes on with the next', async () => {
    const ex = new FakeExecutor();
    const q = new JobQueue(ex, { timeoutMs: 50, maxWaiting: 10 });
    const slow = q.enqueue(10_000).catch((e: unknown) => e);
    const next = q.enqueue(5);
    const err = (await slow) as CompanionError;
    expect(err.code).toBe('timeout');
    expect(err.status).toBe(504);
    expect(ex.aborts).toBe(1);
    expect(await next).toBe(10);
  });

  it('refuses past maxWaiting with 503 queue-full', async () => {
    const ex = new FakeExecutor();
    const q = new JobQueue(ex, { timeoutMs: 1000, maxWaiting: 2 });
    const a = q.enqueue(20);
    const b = q.enqueue(1);
    const c = q.enqueue(1);
    const d = (await q.enqueue(1).catch((e: unknown) => e)) as CompanionError;
    expect(d.code).toBe('queue-full');
    expect(d.status).toBe(503);
    await Promise.all([a, b, c]);
  });

  it('drops a waiting job whose client went away, and stops a running one', async () => {
    const ex = new FakeExecutor();
    const q = new JobQueue(ex, { timeoutMs: 1000, maxWaiting: 10 });
    const acRun = new AbortController();
    const acWait = new AbortController();
    const running = q.enqueue(10_000, { signal: acRun.signal }).catch((e: unknown) => e);
    const waiting = q.enqueue(10_000, { signal: acWait.signal }).catch((e: unknown) => e);
    const last = q.enqueue(3);
    acWait.abort();
    expect(((await waiting) as Error).message).toMatch(/aborted while queued/);
    acRun.abort();
    expect(((await running) as Error).message).toMatch(/aborted while running/);
    expect(await last).toBe(6);
    expect(ex.order).toEqual([10_000, 3]);
  });

  it('a per-job timeout overrides the default', async () => {
    const ex = new FakeExecutor();
    const q = new JobQueue(ex, { timeoutMs: 10_000, maxWaiting: 10 });
    const err = (await q.enqueue(5000, { timeoutMs: 20 }).catch((e: unknown) => e)) as CompanionError;
    expect(err.code).toBe('timeout');
  });
});
