// Writes files so that a failure (disk full, kill, bad permissions) leaves each target as it was: every
// file goes to a temporary file beside its target (same folder, so same file system), is flushed to disk,
// and only when all of them are complete are they renamed over the targets, data files before the model
// that names them. rename() within a folder is atomic on POSIX: a reader sees the old file or the new one.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface OutputFile {
  path: string;
  /** The contents, or pieces of them written one after another (a model whose weights are not copied into one buffer). */
  bytes: Uint8Array | readonly Uint8Array[];
}

function tempBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeFully(path: string, contents: Uint8Array | readonly Uint8Array[]): void {
  // 'wx': never follow or reuse something already at the temporary name
  const fd = openSync(path, 'wx', 0o666);
  try {
    const chunk = 1 << 30;
    for (const bytes of contents instanceof Uint8Array ? [contents] : contents) {
      for (let done = 0; done < bytes.length; ) {
        done += writeSync(fd, bytes, done, Math.min(chunk, bytes.length - done));
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes all `files` or none: the targets are replaced only once every temporary file is complete. Renamed in the order given. */
export function writeFilesAtomically(files: readonly OutputFile[]): void {
  const temps: string[] = [];
  try {
    for (const f of files) {
      const temp = tempBeside(f.path);
      temps.push(temp);
      writeFully(temp, f.bytes);
    }
    files.forEach((f, i) => {
      renameSync(temps[i], f.path);
      temps[i] = '';
    });
  } finally {
    for (const t of temps) if (t) rmSync(t, { force: true });
  }
}

/** The file's identity (device and inode), or undefined when nothing is there: the same file under any name or link. */
export function fileIdentity(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}
