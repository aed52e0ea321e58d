#!/usr/bin/env bash
# Side-by-side ms/step: generated trainers, the hand-tuned ND4J reference and (when Debian's
# python3-torch and libopenblas0-pthread are installed) PyTorch, with threads pinned.
# Usage: bench/step-bench.sh [--sizes 784,512,10] [--batch 128] [--threads 1]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=784,512,10; batch=128; threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2;;
    --batch) batch=$2; shift 2;;
    --threads) threads=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
export OMP_NUM_THREADS=$threads
mvn -B -q -ntp -Dstyle.color=never install -DskipTests >/dev/null
mvn -B -q -ntp -Dstyle.color=never -pl examples dependency:build-classpath -Dmdep.outputFile=target/bench.cp >/dev/null
java -cp "examples/target/classes:$(cat examples/target/bench.cp)" dev.bpnet.examples.bench.StepBenchmark \
  --sizes "$sizes" --batch "$batch"
torch_script=bench/torch_mlp.py
if /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 "$torch_script" --sizes "$sizes" --batch "$batch" --threads "$threads"
else
  echo "PyTorch not measured: apt-get install -y python3-torch libopenblas0-pthread to include it"
fi
