#!/usr/bin/env bash
# Runs ON the GPU machine, one device call per part (split-stage.sh): bash .gpu-work/stage/qN/restage.sh
# Keeps part N in /tmp/gpu/parts; unpacks /tmp/gpu/bin/node as soon as the parts hold it, and onnxruntime-node
# with the CUDA EP into /tmp/gpu/node_modules once every part is there; then `source /tmp/gpu/env.sh`.
# (CW_GPU_ROOT replaces /tmp/gpu: the test, scripts/gpu/split-stage.test.ts.)
set -eu  # no pipefail: piece() closes its pipe early (head -c), which SIGPIPEs cat and tail
Q=$(cd "$(dirname "$0")" && pwd)
i=$(cat "$Q/index")
G=${CW_GPU_ROOT:-/tmp/gpu}
mkdir -p "$G/parts" "$G/bin" "$G/node_modules"
cp "$Q/chunk" "$G/parts/$(printf %02d "$i")"; cp "$Q/env.sh" "$G/env.sh"
eval "$(cat "$Q/manifest")"  # parts=N node=OFF:LEN ortn=OFF:LEN cuda=OFF:LEN
have=0; while [ $have -lt "$parts" ] && [ -f "$G/parts/$(printf %02d $have)" ]; do have=$((have + 1)); done
# the parts present from the first on, in order, as one stream
stream() { for k in $(seq 0 $((have - 1))); do cat "$G/parts/$(printf %02d "$k")"; done; }
bytes=$(stream | wc -c)
piece() { stream | tail -c +$((${1%%:*} + 1)) | head -c "${1##*:}"; }
fits() { [ "$bytes" -ge $((${1%%:*} + ${1##*:})) ]; }
if [ ! -x "$G/bin/node" ] && fits "$node"; then
  piece "$node" | xz -dc > "$G/bin/node.tmp" && chmod +x "$G/bin/node.tmp" && mv "$G/bin/node.tmp" "$G/bin/node"
fi
if [ ! -d "$G/node_modules/onnxruntime-node" ] && fits "$ortn"; then piece "$ortn" | tar xJf - -C "$G/node_modules"; fi
L=$G/node_modules/onnxruntime-node/bin/napi-v6/linux/x64
if [ -d "$L" ] && [ ! -f "$L/libonnxruntime_providers_cuda.so" ] && fits "$cuda"; then
  piece "$cuda" | xz -dc -T8 > "$L/cuda.tmp" && mv "$L/cuda.tmp" "$L/libonnxruntime_providers_cuda.so"
fi
echo "part $i: $have of $parts parts in order; node $([ -x "$G/bin/node" ] && echo ready || echo missing);" \
  "CUDA EP $([ -f "$L/libonnxruntime_providers_cuda.so" ] && echo ready || echo missing)"
