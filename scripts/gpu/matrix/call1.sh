#!/usr/bin/env bash
# Run 2's first device call (docs/gpu-matrix.md "How it was run"), from the repository root there, carrying
# .gpu-stage/p6 and .gpu-work: Node unpacked, the environment probe (issue 12 item 9), the cold CLI timing on a
# quiet 2-core stand-in (taskset -c 0,1) and unrestricted, then in the background: the matrix's prepare.sh
# (bf16 also for gpt2), the optimizer fixtures and the bf16 Pegasus-large encoder.
set -uo pipefail
mkdir -p /tmp/gpu/bin; xz -dc .gpu-stage/p6/node.xz > /tmp/gpu/bin/node && chmod +x /tmp/gpu/bin/node
bash .gpu-stage/p6/stage.sh 6
rm -rf /tmp/gw; cp -r .gpu-work /tmp/gw
{
  echo "NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES:-<unset>}"
  echo "--- ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1
  echo "--- ldconfig -p | grep -iE 'vulkan|nvidia|libEGL|libGLX'"; ldconfig -p | grep -iE 'vulkan|nvidia|libEGL|libGLX'
  echo "--- ls /usr/lib/x86_64-linux-gnu | grep -iE nvidia | head"; ls /usr/lib/x86_64-linux-gnu | grep -iE 'nvidia' | head
  echo "--- nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  echo "--- nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo); $(free -g | sed -n 2p)"
  echo "--- /proc/driver/nvidia/capabilities"; ls -R /proc/driver/nvidia/capabilities 2>&1 | head
  echo "--- /dev/nvidia*, /dev/dri"; ls /dev/nvidia* /dev/dri 2>&1
} > "$OUT/probe.txt" 2>&1
N=/tmp/gpu/bin/node
echo "taskset -c 0,1:" > "$OUT/coldstart.txt"
taskset -c 0,1 bash /tmp/gw/matrix/coldstart.sh $N 7 after=/tmp/gw/castaway.cjs >> "$OUT/coldstart.txt" 2>&1
echo "unrestricted ($(nproc) cores):" >> "$OUT/coldstart.txt"
bash /tmp/gw/matrix/coldstart.sh $N 7 after=/tmp/gw/castaway.cjs >> "$OUT/coldstart.txt" 2>&1
cat "$OUT/coldstart.txt" "$OUT/probe.txt"
cd /tmp
CW_NODE=$N CW_BUNDLE=/tmp/gw CW_BF16_ARCHS=gpt2 setsid nohup bash /tmp/gw/matrix/prepare.sh > /tmp/prepare.log 2>&1 < /dev/null &
setsid nohup bash /tmp/gw/matrix/optimizer-fixtures.sh /tmp/optfix > /tmp/optfix.log 2>&1 < /dev/null &
CW_NODE=$N CW_BUNDLE=/tmp/gw setsid nohup bash /tmp/gw/matrix/bf16-pegasus.sh > /tmp/pegasus.log 2>&1 < /dev/null &
sleep 2; echo started
