// One progress line on stderr: stages with elapsed time, overwritten in place on a terminal.
export class Progress {
  private readonly start = Date.now();
  private readonly tty: boolean;

  constructor(private readonly write: (s: string) => void, private readonly enabled: boolean) {
    this.tty = enabled && !!process.stderr.isTTY;
  }

  step(label: string): void {
    if (!this.enabled) return;
    const line = `[${((Date.now() - this.start) / 1000).toFixed(1)}s] ${label}`;
    this.write(this.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  done(): void {
    if (!this.enabled) return;
    const line = `[${((Date.now() - this.start) / 1000).toFixed(1)}s] done`;
    this.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
