# Sourced by run.sh and recheck.sh: the matrix's work folder on the GPU machine ($CW_MX, default /tmp/mx), its
# architectures in the order the steps take them ($CW_ARCHS: largest first, so a step's budget cuts the small
# ones), the results folder the steps pack from, and the step's start time for its budget.
set -uo pipefail
W=${CW_MX:-/tmp/mx}
ARCHS=${CW_ARCHS:-"bert-large llama bart gpt2 bert-base unet vit distilbert whisper-enc resnet50"}
R=$W/results
mkdir -p "$R"
start=$(date +%s)
