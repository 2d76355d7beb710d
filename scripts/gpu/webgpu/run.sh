#!/usr/bin/env bash
# WebGPU on the GPU machine's H200 through Debian's Chromium 156 (docs/precision.md "WebGPU on a real GPU"). Calls: `bash .gpu-stage/wgN/run.sh N`
# carrying .gpu-stage/wgN for N = 1, 2, 3, 4 (the zstd archive of /usr/lib/chromium split in 32.5 MB pieces, cr.0-3), then `bash .gpu-stage/wg0/run.sh 0` carrying .gpu-stage/wg0 (tools, probe).
set -u
W=/tmp/wg; mkdir -p $W/parts; cp .gpu-stage/wg$1/* $W/parts/; ls $W/parts | tr '\n' ' '; echo
[ "$1" = 0 ] || exit 0
cp .gpu-stage/wg0/probe.html $W/
Z="env LD_LIBRARY_PATH=$W/parts $W/parts/zstd"
cat $W/parts/cr.* | $Z -dc | tar -x -C $W && cat $W/parts/libs.tar.zst | $Z -dc | tar -x -C $W || exit 1
ldd --version | head -1; cat /etc/os-release | head -2
export LD_LIBRARY_PATH=$W/libs:$W/chromium
echo "missing:"; ldd $W/chromium/chromium | grep "not found"
F="--headless=new --no-sandbox --enable-unsafe-webgpu --enable-features=Vulkan --use-vulkan=native --ignore-gpu-blocklist --disable-gpu-sandbox --virtual-time-budget=15000 --dump-dom file://$W/probe.html"
for icd in nvidia default; do
  echo "=== ICD $icd"
  if [ $icd = nvidia ]; then export VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/nvidia_icd.json; else unset VK_ICD_FILENAMES; fi
  timeout 90 $W/chromium/chromium $F 2> $OUT/stderr-$icd.txt | grep -o "WEBGPU_PROBE {.*" | tee $OUT/probe-$icd.txt
  grep -iE "vulkan|webgpu|dawn|gpu" $OUT/stderr-$icd.txt | head -20
done
