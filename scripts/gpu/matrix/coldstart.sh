#!/usr/bin/env bash
# Cold `castaway convert` of fixtures/models/gpt2-deep200-o14.onnx (43,720 nodes), whole process, N runs of each
# bundle given, interleaved (so that host drift hits all alike); prints one line per bundle: median and all runs.
# usage: coldstart.sh NODE N LABEL=BUNDLE.cjs[:NODE_FLAGS] ...
set -uo pipefail
NODE=$1 N=$2; shift 2
M=fixtures/models/gpt2-deep200-o14.onnx
declare -A T
for i in $(seq 1 "$N"); do
  for spec in "$@"; do
    label=${spec%%=*} rest=${spec#*=}; bundle=${rest%%:*} flags=""; [[ $rest == *:* ]] && flags=${rest#*:}
    t0=$(date +%s%N)
    # shellcheck disable=SC2086
    "$NODE" $flags "$bundle" convert "$M" -o /tmp/coldstart-out.onnx -q > /dev/null || echo "$label FAILED"
    T[$label]="${T[$label]:-} $(( ($(date +%s%N) - t0) / 1000000 ))"
  done
done
for spec in "$@"; do
  label=${spec%%=*}
  python3 -c 'import statistics,sys; xs=[int(x) for x in sys.argv[2].split()]; print(f"{sys.argv[1]}: median {statistics.median(xs)/1000:.2f} s, runs (ms) {xs}")' "$label" "${T[$label]}"
done
