// One run at a time of "bring X up to date with the store": the planner after recipe edits, the layout
// after scope changes. Edits arrive faster than a worker answers, so a request while a run is in flight
// does not start a second one; the run in flight looks again when it ends and does one more run for the
// latest state, however many requests came meanwhile. Plain TypeScript, no store: tested on its own.

export interface CoalesceSpec<K> {
  /** What the store wants done now; null when there is nothing to do (no model open). */
  wanted(): K | null;
  /** Whether two wanted states need only one run (the one already done serves). */
  same(a: K, b: K): boolean;
  /** Brings the result up to date with `key`. Resolves false to stop looking (the model changed, or it failed). */
  run(key: K): Promise<boolean>;
  /** Called once the loop ends, however it ends (clears a pending flag). */
  settled(): void;
}

export interface Coalescer<K> {
  /** Runs unless a run is in flight; resolves when this request's loop ends (at once if it joined one). */
  request(): Promise<void>;
  /** Records `key` as already done by someone else (opening a model plans and lays it out itself). */
  done(key: K): void;
}

export function coalesced<K>(spec: CoalesceSpec<K>): Coalescer<K> {
  let last: K | null = null;
  let running = false;
  return {
    async request() {
      if (running) return;
      running = true;
      try {
        for (;;) {
          const key = spec.wanted();
          if (key === null || (last !== null && spec.same(last, key))) break;
          last = key;
          if (!(await spec.run(key))) break;
        }
      } finally {
        running = false;
        spec.settled();
      }
    },
    done(key) {
      last = key;
    },
  };
}
