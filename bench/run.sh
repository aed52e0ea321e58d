#!/usr/bin/env bash
# The benchmark of issue 7: ms per SGD step of the generated trainer (2-pass, 3-pass paper,
# 3-pass exact), the hand-tuned ND4J reference, DL4J SameDiff's fit and, when Debian's
# python3-torch and libopenblas0-pthread are installed, PyTorch (bench/torch_mlp.py), side by
# side in one invocation; plus each generated step's gemm calls alone, its INDArray allocations
# and the warm compile time of every example model. Prints a table and JSON lines and writes
# runs/bench-<time>/results.{jsonl,md} (--out DIR to choose).
#
# Usage: bench/run.sh [--threads N] [--sizes 784-512-10,784-1024-1024-10] [--batch 32,128,512]
#        [--mode 2pass,3pass-paper,3pass-exact] [--impl bpnet,hand-tuned,samediff,pytorch]
#        (--impl bpnet-unfused adds the generated step without its fusions, for before/after)
#        [--repeats 5] [--block-seconds 0.15] [--examples examples|none] [--out DIR]
# bench/run.sh --update [ROUNDS]: the optimizers instead, compiled from the language vs the
# runtime's Java ones (and, for SGD and Adam, the BLAS-axpy Java versions they replaced): the
# update alone and a whole 2-pass step, 784-512-10, batch 128, float32 (UpdateBench).
# --onednn runs any of these on nd4j-native's linux-x86_64-onednn build instead of the default one.
# --threads sets OMP_NUM_THREADS for every implementation (default 1; more than the machine's
# free cores distorts every figure). BENCH_JAVA_OPTS is passed to the JVM, e.g. to profile:
#   BENCH_JAVA_OPTS=-XX:StartFlightRecording=filename=step.jfr,settings=profile bench/run.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
threads=1
onednn=
main=dev.bpnet.examples.bench.Bench
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads)
      case "${2:-}" in
        [1-9]|[1-9][0-9]) threads=$2; shift 2;;
        *) echo "bench: --threads: expected a positive integer, got '${2:-}'" >&2; exit 2;;
      esac;;
    --update) main=dev.bpnet.examples.bench.UpdateBench; shift;;
    --conv) main=dev.bpnet.examples.bench.ConvBench; shift;;
    --conv-ops) main=dev.bpnet.examples.bench.ConvOpProbe; shift;;
    --onednn) onednn=1; shift;;
    *) args+=("$1"); shift;;
  esac
done
export OMP_NUM_THREADS=$threads
# the OpenBLAS kernels the bpnet command runs with (see bpnet): Haswell's where AVX2 and FMA exist
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=Haswell
fi
cp_file=examples/target/bench.cp
if [ ! -f "$cp_file" ] || [ -n "$(find . -path '*/target' -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.g4' \) -newer "$cp_file" -print | head -1)" ]; then
  echo "bench: building..." >&2
  mvn -B -q -ntp -Dstyle.color=never install -DskipTests >&2
  mvn -B -q -ntp -Dstyle.color=never -pl examples dependency:build-classpath -Dmdep.outputFile=target/bench.cp >&2
  touch "$cp_file"  # the plugin leaves an unchanged file alone
fi
# --onednn: the same classpath with nd4j-native's linux-x86_64-onednn build (libnd4j with oneDNN),
# on which the convolutions bind ND4J's native ops (BENCHMARKS.md, "Convolutional nets")
if [ -n "$onednn" ]; then
  onednn_cp=examples/target/bench-onednn.cp
  if [ ! -f "$onednn_cp" ] || [ "$cp_file" -nt "$onednn_cp" ]; then
    mvn -B -q -ntp -Dstyle.color=never -Dnd4j.classifier=linux-x86_64-onednn -pl examples \
      dependency:build-classpath -Dmdep.outputFile=target/bench-onednn.cp >&2
    touch "$onednn_cp"
  fi
  cp_file=$onednn_cp
fi
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:-} -cp "examples/target/classes:$(cat "$cp_file")" "$main" ${args[@]+"${args[@]}"}
