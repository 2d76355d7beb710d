// Node adapter: reads an .onnx file and, from the external data files it names, only the byte ranges its
// tensors name. The engine itself (src/core) never touches the file system; it takes these bytes.
//
// External data locations come from the model file, which may come from anywhere, so each is treated as
// hostile: a location must stay inside the model's folder after symlinks are resolved (no link to
// /etc/os-release), must be a regular file (a FIFO would block forever, a device never end), and only the
// ranges the tensors name are read (a 24-byte tensor at the end of a 3 GB sparse file reads 24 bytes).
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CastawayError } from '../core/index';
import { externalByteLength, externalDataInfo, EXTERNAL, siteWhere, visitTensors } from '../core/index';
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
}

/**
 * Reads a model and the external data its tensors name. A location that is absolute, leaves the model's
 * folder ('../x', '/etc/x', 'C:\x') or is a symlink out of it is refused ('unsupported'), as is anything but a
 * regular file; a file that is not there is 'missing-external-data'; a range outside the file or of the wrong
 * size is 'absurd-dims'. Decoding errors are serde's CastawayErrors; other I/O errors are thrown as is.
 */
export function loadModelFile(path: string): LoadedModelFile {
  const bytes = readWholeFile(path);
  const model = decodeModel(bytes);
  const folder = resolve(dirname(path));
  const files = new Map<string, DataFile>();
  const reads: [TensorProto, Uint8Array][] = [];
  try {
    visitTensors(model, (tensor, site) => {
      if (tensor.dataLocation !== EXTERNAL) return;
      const where = siteWhere(tensor, site);
      const info = externalDataInfo(tensor, where);
      let file = files.get(info.location);
      if (!file) {
        file = openDataFile(folder, info.location);
        files.set(info.location, file);
      }
      const length = externalByteLength(tensor, info, file.size, where);
      reads.push([tensor, readRange(file, info.offset, length)]);
    });
  } finally {
    for (const f of files.values()) closeSync(f.fd);
  }
  // Every tensor was checked and read before any is modified.
  for (const [tensor, data] of reads) tensor.externalBytes = data;
  return { path, bytes, externalFiles: new Map([...files].map(([k, f]) => [k, f.realPath])), model };
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

function readRange(file: DataFile, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
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

/** Reads a file of any size into one Uint8Array (readFileSync stops at 2 GiB; models may be larger). */
function readWholeFile(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    return readRange({ fd, size, realPath: path }, 0, size);
  } finally {
    closeSync(fd);
  }
}
