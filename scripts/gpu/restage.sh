#!/usr/bin/env bash
# Runs ON the GPU machine, one device call per part (split-stage.sh): bash .gpu-work/stage/qN/restage.sh
# Keeps part N in /tmp/gpu/parts; unpacks /tmp/gpu/bin/node as soon as the parts hold it, and onnxruntime-node
# with the CUDA EP into /tmp/gpu/node_modules once every part is there; then `source /tmp/gpu/env.sh`.
set -eu  # no pipefail: piece() closes its pipe early (head -c), which SIGPIPEs cat and tail
Q=$(cd "$(dirname "$0")" && pwd)
i=$(cat "$Q/index")
mkdir -p /tmp/gpu/parts /tmp/gpu/bin /tmp/gpu/node_modules
cp "$Q/chunk" "/tmp/gpu/parts/$(printf %02d "$i")"; cp "$Q/env.sh" /tmp/gpu/env.sh
eval "$(cat "$Q/manifest")"
have=0; for k in $(seq 0 $((parts - 1))); do [ -f "/tmp/gpu/parts/$(printf %02d "$k")" ] || break; have=$((have + 1)); done
bytes=0; [ $have -gt 0 ] && bytes=$(cat $(for k in $(seq 0 $((have - 1))); do printf '/tmp/gpu/parts/%02d ' "$k"; done) | wc -c)
# extract NAME=OFF:LEN from the contiguous parts when they reach OFF+LEN
piece() { local off=${1%%:*} len=${1##*:}; cat $(for k in $(seq 0 $((have - 1))); do printf '/tmp/gpu/parts/%02d ' "$k"; done) | tail -c +$((off + 1)) | head -c "$len"; }
fits() { local off=${1%%:*} len=${1##*:}; [ "$bytes" -ge $((off + len)) ]; }
if [ ! -x /tmp/gpu/bin/node ] && fits "$node"; then piece "$node" | xz -dc > /tmp/gpu/bin/node.tmp && chmod +x /tmp/gpu/bin/node.tmp && mv /tmp/gpu/bin/node.tmp /tmp/gpu/bin/node; fi
if [ ! -d /tmp/gpu/node_modules/onnxruntime-node ] && fits "$ortn"; then piece "$ortn" | tar xJf - -C /tmp/gpu/node_modules; fi
L=/tmp/gpu/node_modules/onnxruntime-node/bin/napi-v6/linux/x64
if [ -d $L ] && [ ! -f $L/libonnxruntime_providers_cuda.so ] && fits "$cuda"; then
  piece "$cuda" | xz -dc -T8 > $L/cuda.tmp && mv $L/cuda.tmp $L/libonnxruntime_providers_cuda.so
fi
echo "part $i: $have of $parts parts in order; node $([ -x /tmp/gpu/bin/node ] && echo ready || echo missing);" \
  "CUDA EP $([ -f $L/libonnxruntime_providers_cuda.so ] && echo ready || echo missing)"
