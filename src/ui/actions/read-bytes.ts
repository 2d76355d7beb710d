// Reading a dropped file or a download into one byte array, reporting how far it got.

import { concatBytes } from '../../core/index';

export async function readStream(
  stream: ReadableStream<Uint8Array>,
  total: number,
  onFraction: (fraction: number | null) => void,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onFraction(total > 0 ? Math.min(1, received / total) : null);
  }
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks);
}

export function readFile(file: File, onFraction: (fraction: number | null) => void): Promise<Uint8Array> {
  return readStream(file.stream(), file.size, onFraction);
}
