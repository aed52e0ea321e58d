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
# --nd4j BUILD times another nd4j-native build (linux-x86_64-onednn: gemm and the native conv ops
# through oneDNN; -avx2, -avx512 and their -onednn- twins), fetched by Maven like the default.
# bench/run.sh --threads-compare --threads N: 1 against N threads, interleaved (ThreadsBench).
# bench/run.sh --update [ROUNDS]: the optimizers instead, compiled from the language vs the
# runtime's Java ones (and, for SGD and Adam, the BLAS-axpy Java versions they replaced): the
# update alone and a whole 2-pass step, 784-512-10, batch 128, float32 (UpdateBench).
# --threads sets OMP_NUM_THREADS for every implementation (default 1; more than the machine's
# free cores distorts every figure). --pin CPUS runs the harness and everything it starts
# (PyTorch included) on those CPUs only (taskset -c CPUS): with one thread, --pin 1 puts both
# sides of a comparison on the same CPU; unpinned, they may run on CPUs whose speed differs
# from moment to moment (on this 2-vCPU machine the ratios of three runs spread 0.91-1.06
# unpinned, 0.86-0.93 pinned). BENCH_JAVA_OPTS is passed to the JVM, e.g. to profile:
#   BENCH_JAVA_OPTS=-XX:StartFlightRecording=filename=step.jfr,settings=profile bench/run.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
threads=1
pin=
nd4j=linux-x86_64
main=dev.bpnet.examples.bench.Bench
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads)
      case "${2:-}" in
        [1-9]|[1-9][0-9]) threads=$2; shift 2;;
        *) echo "bench: --threads: expected a positive integer, got '${2:-}'" >&2; exit 2;;
      esac;;
    --pin)
      case "${2:-}" in
        [0-9]*) pin=$2; shift 2;;
        *) echo "bench: --pin: expected CPUs as taskset -c takes them (e.g. 1 or 0,1), got '${2:-}'" >&2; exit 2;;
      esac;;
    --update) main=dev.bpnet.examples.bench.UpdateBench; shift;;
    --conv) main=dev.bpnet.examples.bench.ConvBench; shift;;
    --conv-ops) main=dev.bpnet.examples.bench.ConvOpProbe; shift;;
    --threads-compare) main=dev.bpnet.examples.bench.ThreadsBench; shift;;
    --nd4j)
      case "${2:-}" in
        linux-x86_64|linux-x86_64-onednn|linux-x86_64-avx2|linux-x86_64-avx512|linux-x86_64-onednn-avx2|linux-x86_64-onednn-avx512)
          nd4j=$2; shift 2;;
        *) echo "bench: --nd4j: expected an nd4j-native build (linux-x86_64, linux-x86_64-onednn, ...-avx2, ...-avx512, ...-onednn-avx2, ...-onednn-avx512), got '${2:-}'" >&2; exit 2;;
      esac;;
    *) args+=("$1"); shift;;
  esac
done
export OMP_NUM_THREADS=$threads
# idle OpenMP workers sleep instead of spinning, as with the bpnet command (see bpnet);
# OMP_WAIT_POLICY=auto measures libgomp's own default (spin, then sleep)
if [ "${OMP_WAIT_POLICY:-}" = auto ]; then
  unset OMP_WAIT_POLICY
else
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
fi
# Debian's python3-torch calls whatever libblas.so.3 provides: with only the reference BLAS
# (libblas3) PyTorch's LeNet step took 23 ms instead of 9.6 (measured, quiet): say so rather than
# compare against that
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
if [ -e /usr/lib/python3/dist-packages/torch ] && [ -n "$blas" ] && [[ "$blas" != *openblas* ]]; then
  echo "bench: warning: PyTorch would call the reference BLAS ($blas), not OpenBLAS: its figures would be too slow." >&2
  echo "bench:          apt-get install libopenblas0-pthread (README, Performance)" >&2
fi
# the OpenBLAS kernels the bpnet command runs with (see bpnet): Haswell's where AVX2 and FMA exist
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw fma /proc/cpuinfo 2>/dev/null; then
  export OPENBLAS_CORETYPE=Haswell
fi
# one classpath per nd4j-native build (--nd4j): the build's jar is the only difference
cp_name=bench.cp
[ "$nd4j" = linux-x86_64 ] || cp_name="bench-$nd4j.cp"
cp_file=examples/target/$cp_name
if [ ! -f "$cp_file" ] || [ -n "$(find . -path '*/target' -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.g4' \) -newer "$cp_file" -print | head -1)" ]; then
  echo "bench: building..." >&2
  mvn -B -q -ntp -Dstyle.color=never install -DskipTests >&2
  mvn -B -q -ntp -Dstyle.color=never -Dnd4j.classifier="$nd4j" -pl examples dependency:build-classpath \
      -Dmdep.outputFile="target/$cp_name" >&2
  touch "$cp_file"  # the plugin leaves an unchanged file alone
fi
pinned=()
if [ -n "$pin" ]; then
  command -v taskset >/dev/null || { echo "bench: --pin needs taskset (util-linux)" >&2; exit 2; }
  pinned=(taskset -c "$pin")
fi
# shellcheck disable=SC2086
exec ${pinned[@]+"${pinned[@]}"} java ${BENCH_JAVA_OPTS:-} -cp "examples/target/classes:$(cat "$cp_file")" "$main" ${args[@]+"${args[@]}"}
