// Node adapter: reads an .onnx file and, from the external data files it names, only the byte ranges its
// tensors name. The engine itself (src/core) never touches the file system; it takes these bytes.
//
// External data locations come from the model file, which may come from anywhere, so each is treated as
// hostile: a location must stay inside the model's folder after symlinks are resolved (no link to
// /etc/os-release), must be a regular file (a FIFO would block forever, a device never end), and only the
// ranges the tensors name are read (a 24-byte tensor at the end of a 3 GB sparse file reads 24 bytes).
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CastawayError } from '../core/index';
import { externalByteLength, externalDataInfo, EXTERNAL, siteWhere } from '../core/index';
import type { ModelProto, TensorProto } from '../core/index';
import { decodeModel } from '../core/index';

export interface LoadedModelFile {
  path: string;
  /** The .onnx file's bytes; the decoded model's rawData are views into them. */
  bytes: Uint8Array;
  /** The real path of each external data file, by location as the model writes it. */
  externalFiles: Map<string, string>;
  /** Decoded and checked; every external tensor has its bytes attached (`externalBytes`). */
  model: ModelProto;
  /** Bytes read: the .onnx file and the external data ranges. */
  loadedBytes: number;
}

/**
 * Reads a model and the external data its tensors name. A location that is absolute, leaves the model's
 * folder ('../x', '/etc/x', 'C:\x') or is a symlink out of it is refused ('unsupported'), as is anything but a
 * regular file; a file that is not there is 'missing-external-data'; a range outside the file or of the wrong
 * size is 'absurd-dims'. Decoding errors are serde's CastawayErrors; other I/O errors are thrown as is.
 * `shared`: the file and its external data are read into SharedArrayBuffers (the CLI's conversion threads
 * read them in place); `bytes`: the .onnx file's contents, already read (readFileShared); `keepNodeBytes`: see
 * decodeModel (only for a model that goes to the engine unchanged, as the CLI's does).
 */
export function loadModelFile(path: string, options: { shared?: boolean; bytes?: Uint8Array; keepNodeBytes?: boolean } = {}): LoadedModelFile {
  const shared = options.shared ?? false;
  const bytes = options.bytes ?? readWholeFile(path, shared);
  const folder = resolve(dirname(path));
  const files = new Map<string, DataFile>();
  const reads: [TensorProto, Uint8Array][] = [];
  let model: ModelProto;
  try {
    // the external data is read in the decoder's own walk over every tensor (its checks), not a second one
    model = decodeModel(bytes, {
      keepNodeBytes: options.keepNodeBytes ?? false,
      visitTensor: (tensor, site) => {
        if (tensor.dataLocation !== EXTERNAL) return;
        const where = siteWhere(tensor, site);
        const info = externalDataInfo(tensor, where);
        let file = files.get(info.location);
        if (!file) {
          file = openDataFile(folder, info.location);
          files.set(info.location, file);
        }
        const length = externalByteLength(tensor, info, file.size, where);
        reads.push([tensor, readRange(file, info.offset, length, shared)]);
      },
    });
  } finally {
    for (const f of files.values()) closeSync(f.fd);
  }
  // Every tensor was checked and read before any is modified.
  for (const [tensor, data] of reads) tensor.externalBytes = data;
  const loadedBytes = reads.reduce((n, [, data]) => n + data.byteLength, bytes.byteLength);
  return { path, bytes, externalFiles: new Map([...files].map(([k, f]) => [k, f.realPath])), model, loadedBytes };
}

interface DataFile {
  fd: number;
  size: number;
  realPath: string;
}

/** Opens an external data file after checking it is a regular file whose real path is inside `folder`. */
function openDataFile(folder: string, location: string): DataFile {
  const target = resolveInside(folder, location);
  let realPath: string;
  try {
    realPath = realpathSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CastawayError('missing-external-data', `The model's external data file '${location}' does not exist next to it`, target);
    }
    throw error;
  }
  const realFolder = realpathSync(folder);
  const rel = relative(realFolder, realPath);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new CastawayError('unsupported', `External data file '${location}' is a link to ${realPath}, outside the model's folder; refusing to read it`, location);
  }
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer before fstat could refuse it.
  const fd = openSync(realPath, constants.O_RDONLY | constants.O_NONBLOCK);
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new CastawayError('unsupported', `External data file '${location}' is not a regular file; refusing to read it`, location);
  }
  return { fd, size: stat.size, realPath };
}

/** `shared`: into a SharedArrayBuffer, which the CLI's conversion threads read without a copy (cli/fp16-threads.ts). */
function readRange(file: DataFile, offset: number, length: number, shared: boolean): Uint8Array {
  const out = new Uint8Array(shared ? new SharedArrayBuffer(length) : new ArrayBuffer(length));
  const chunk = 1 << 30;
  let done = 0;
  while (done < length) {
    const n = readSync(file.fd, out, done, Math.min(chunk, length - done), offset + done);
    if (n === 0) throw new Error(`${file.realPath} shrank while being read`);
    done += n;
  }
  return out;
}

/** The path of `location` inside `folder`, or a CastawayError when it would escape it. */
export function resolveInside(folder: string, location: string): string {
  const escapes = (): never => {
    throw new CastawayError('unsupported', `External data location '${location}' points outside the model's folder; refusing to read it`, location);
  };
  if (!location || location.includes('\0') || isAbsolute(location) || /^[A-Za-z]:|^[/\\]/.test(location)) escapes();
  if (location.split(/[/\\]/).includes('..')) escapes();
  const target = resolve(folder, location);
  const rel = relative(folder, target);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) escapes();
  return target;
}

/** Bytes per read of readFileShared: large enough that a read's fixed cost is nothing, small enough to spread. */
const PARALLEL_READ_BYTES = 64 << 20;

/**
 * A whole file in a SharedArrayBuffer, read as PARALLEL_READ_BYTES ranges by `concurrency` reads at a time on
 * libuv's thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise). Reading a large model is page
 * faults and copies out of the page cache, which run side by side on a many-core host; one readSync does them
 * on one core. The CLI reads large models this way.
 */
export async function readFileShared(path: string, concurrency = 4, rangeBytes = PARALLEL_READ_BYTES): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const out = new Uint8Array(new SharedArrayBuffer(size));
    let next = 0;
    const reader = async (): Promise<void> => {
      for (let at = next; at < size; at = next) {
        next = at + rangeBytes;
        const end = Math.min(size, next);
        for (let done = at; done < end; ) {
          const { bytesRead } = await handle.read(out, done, end - done, done);
          if (bytesRead === 0) throw new Error(`${path} shrank while being read`);
          done += bytesRead;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, reader));
    return out;
  } finally {
    await handle.close();
  }
}

/** Reads a file of any size into one Uint8Array (readFileSync stops at 2 GiB; models may be larger). */
function readWholeFile(path: string, shared: boolean): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    return readRange({ fd, size, realPath: path }, 0, size, shared);
  } finally {
    closeSync(fd);
  }
}
