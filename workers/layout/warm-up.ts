// ELK's warm-up at page load, which gives way to real work. V8 compiles ELK's hot code only after it has run
// a while, so a few layouts of a made-up graph while the user picks a file make the first real layout
// several times faster. Once a model arrives, the rounds not yet started are skipped: its own layout is
// the better warm-up, and a model dropped right after the page opened (or named in the URL) no longer
// waits behind them. A round under way finishes (ELK's layout cannot be interrupted).

export class WarmUp {
  private wanted = true;

  /** Real work has arrived: start no further round. */
  stop(): void {
    this.wanted = false;
  }

  /** Runs up to `rounds` rounds while wanted; the rounds run and their time. */
  async run(round: () => Promise<void>, rounds: number): Promise<{ rounds: number; millis: number }> {
    const t0 = performance.now();
    let done = 0;
    while (done < rounds && this.wanted) {
      await round();
      done++;
    }
    return { rounds: done, millis: performance.now() - t0 };
  }
}
