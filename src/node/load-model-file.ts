// Node adapter: reads an .onnx file and the external data files it names from the model's folder. The engine
// itself (src/core) never touches the file system; it takes these bytes.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { CastawayError } from '../core/index';
import { externalDataLocations } from '../core/index';
import type { ModelProto } from '../core/index';
import { decodeModel } from '../core/index';

export interface LoadedModelFile {
  path: string;
  /** The .onnx file's bytes; the decoded model's rawData are views into them. */
  bytes: Uint8Array;
  /** External data files by location as the model writes it (pass to resolveExternalData). */
  externalFiles: Map<string, Uint8Array>;
  /** Decoded (and checked), external data not yet attached. */
  model: ModelProto;
}

/**
 * Reads a model and its external data files. A location that is absolute or leaves the model's folder
 * ('../x', '/etc/x', 'C:\x') is refused ('unsupported'); a file that is not there is 'missing-external-data'.
 * Decoding errors are serde's CastawayErrors; I/O errors other than a missing data file are thrown as is.
 */
export function loadModelFile(path: string): LoadedModelFile {
  const bytes = readWholeFile(path);
  const model = decodeModel(bytes);
  const folder = resolve(dirname(path));
  const externalFiles = new Map<string, Uint8Array>();
  for (const location of externalDataLocations(model)) {
    const target = resolveInside(folder, location);
    try {
      externalFiles.set(location, readWholeFile(target));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CastawayError('missing-external-data', `The model's external data file '${location}' does not exist next to it`, target);
      }
      throw error;
    }
  }
  return { path, bytes, externalFiles, model };
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

/** Reads a file of any size into one Uint8Array (readFileSync stops at 2 GiB; external data may be larger). */
function readWholeFile(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(size);
    const chunk = 1 << 30;
    let done = 0;
    while (done < size) {
      const n = readSync(fd, out, done, Math.min(chunk, size - done), done);
      if (n === 0) throw new Error(`${path} shrank while being read`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
