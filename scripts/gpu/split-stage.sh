#!/usr/bin/env bash
# Re-splits the CUDA stage that ../shared/gpu/make-stage.sh builds (.gpu-stage/p0..p6: 7 parts of up to 33 MB)
# into parts of SIZE (split -b; default 20M: ten parts), since the project's tree travels with every device call and is now about
# 41 MB: a 33 MB part with it passes the 64 MiB limit of one call. One byte stream, node.xz | ortn.tar.xz |
# cuda.so.xz, cut into DEST/qN/chunk (N = 0, 1, ...), each qN with restage.sh and the offsets (manifest): node is
# whole once the first parts are there, so work that needs only node (castaway convert) starts early.
# usage, in the main checkout: bash scripts/gpu/split-stage.sh [DEST (default .gpu-work/stage)] [SIZE]
# then one device call per part, in order, each carrying DEST/qN: bash DEST/qN/restage.sh
set -euo pipefail
S=.gpu-stage
DEST=${1:-.gpu-work/stage} SIZE=${2:-20M}
HERE=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
[ -f $S/p6/node.xz ] && [ -f $S/p0/ortn.tar.xz ] || { echo "no $S: run bash ../shared/gpu/make-stage.sh first"; exit 1; }
rm -rf "$DEST"; mkdir -p "$DEST"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
cat $S/p1/cudapart.00 $S/p2/cudapart.01 $S/p3/cudapart.02 $S/p4/cudapart.03 $S/p5/cudapart.04 > "$TMP/cuda.so.xz"
n=$(stat -c %s $S/p6/node.xz) o=$(stat -c %s $S/p0/ortn.tar.xz) c=$(stat -c %s "$TMP/cuda.so.xz")
cat $S/p6/node.xz $S/p0/ortn.tar.xz "$TMP/cuda.so.xz" | split -b "$SIZE" -d -a 2 - "$TMP/chunk."
parts=$(ls "$TMP"/chunk.* | wc -l)
for f in "$TMP"/chunk.*; do
  i=$((10#${f##*.})); mkdir -p "$DEST/q$i"; mv "$f" "$DEST/q$i/chunk"
  printf 'parts=%s node=0:%s ortn=%s:%s cuda=%s:%s\n' "$parts" "$n" "$n" "$o" "$((n + o))" "$c" > "$DEST/q$i/manifest"
  cp "$HERE/restage.sh" "$S/p0/env.sh" "$DEST/q$i/"
  echo "$i" > "$DEST/q$i/index"
done
du -sh "$DEST"/q* | tr '\n' ' '; echo
