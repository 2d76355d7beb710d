// Reading a dropped file or a download into one byte array, reporting how far it got.

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
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

export function readFile(file: File, onFraction: (fraction: number | null) => void): Promise<Uint8Array> {
  return readStream(file.stream(), file.size, onFraction);
}
