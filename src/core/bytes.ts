// Joining byte pieces into one array: a streamed download, protobuf fields built by hand, encoded model
// pieces. One copy, sized once.

export function concatBytes(pieces: readonly ArrayLike<number>[]): Uint8Array {
  let total = 0;
  for (const piece of pieces) total += piece.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
