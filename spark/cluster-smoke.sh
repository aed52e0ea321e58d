#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, for bpnet train --spark spark://...:
#   1. builds the spark module's classpath and the shaded job jar (mvn package, never install)
#   2. lays out a Spark home whose jars/ holds the Spark jars of that classpath, without bpnet's
#      own classes and without ND4J (those reach the executors only through the job jar)
#   3. starts a Master (org.apache.spark.deploy.master.Master) and a Worker
#      (org.apache.spark.deploy.worker.Worker) from those jars, each its own JVM
#   4. trains the same short MNIST run three times: in local mode (local[2], the job jar on the
#      classpath), on the cluster through org.apache.spark.deploy.SparkSubmit, and on the cluster
#      through ./bpnet train --spark spark://... (the job jar named in spark.jars)
#   5. checks that the cluster runs wrote params.npz and that their metrics.csv (every column but
#      the seconds) and params.npz (every array, bit for bit) equal the local run's: the same
#      shards and the same fixed order of sums, in other JVMs
#   6. stops the Worker and the Master (also on failure)
# Usage: spark/cluster-smoke.sh [EPOCHS]   (default 1; about 3 minutes on a 2-core machine)
# Environment: PORT (default 7077), WORK (default spark/target/cluster-smoke), SKIP_BUILD=1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
epochs="${1:-1}"
port="${PORT:-7077}"
master="spark://127.0.0.1:$port"
work="${WORK:-$root/spark/target/cluster-smoke}"
jar="$root/spark/target/bpnet-spark-job.jar"
cp_file="$root/spark/target/spark-cli.cp"
export OMP_NUM_THREADS=1
# the same OpenBLAS kernels in every JVM (./bpnet does the same): the same bits
if [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=Haswell
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "== building the classpath and the job jar (mvn package, not install)"
  (cd "$root" && flock /tmp/bpnet-mvn.lock mvn -B -q -o -pl spark -am package -DskipTests \
      dependency:build-classpath -Dmdep.outputFile=target/spark-cli.cp && touch "$cp_file")
  (cd "$root" && flock /tmp/bpnet-mvn.lock mvn -B -q -o -pl spark -am package -DskipTests -Djobjar)
fi
[ -f "$jar" ] || { echo "no $jar: build it (see README, Training on Spark)" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/home/jars" "$work/home/conf" "$work/logs" "$work/worker"
# Spark's home: the classpath's jars other than bpnet's (class directories, this checkout's jars)
# and ND4J's (org/nd4j, org/bytedeco): what a Spark distribution's jars/ holds, and a little more
tr ':' '\n' < "$cp_file" | grep '\.jar$' | grep -v "^$root/" | grep -v -e '/org/nd4j/' -e '/org/bytedeco/' |
  while read -r j; do ln -s "$j" "$work/home/jars/"; done
# the daemons and executors log at INFO into their logs (the drivers keep bpnet's WARN)
cat > "$work/home/conf/log4j2.properties" <<'LOG'
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss.SSS} %p %c{1}: %m%n
LOG
export SPARK_HOME="$work/home"
# the launcher that builds the executors' command asks for it (a distribution's spark-class sets it)
export SPARK_SCALA_VERSION=2.13
jvm=(@"$root/spark/jvm.options")
daemon=("${jvm[@]}" -Dlog4j2.configurationFile="$work/home/conf/log4j2.properties" -Xmx512m)
sparkcp="$work/home/jars/*"
echo "== Spark home $SPARK_HOME: $(ls "$work/home/jars" | wc -l) jars"

pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap stop EXIT

wait_for() {  # FILE PATTERN SECONDS
  for _ in $(seq "$3"); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 1
  done
  echo "timed out waiting for '$2' in $1:" >&2
  tail -20 "$1" >&2
  return 1
}

echo "== starting the Master at $master and a Worker (2 cores, 4 GB)"
java "${daemon[@]}" -cp "$sparkcp" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port 0 > "$work/logs/master.log" 2>&1 &
pids+=($!)
wait_for "$work/logs/master.log" "I have been elected leader" 60
java "${daemon[@]}" -cp "$sparkcp" org.apache.spark.deploy.worker.Worker \
  --host 127.0.0.1 --cores 2 --memory 4g --webui-port 0 --work-dir "$work/worker" "$master" \
  > "$work/logs/worker.log" 2>&1 &
pids+=($!)
wait_for "$work/logs/worker.log" "Successfully registered with master" 60

model="$root/examples/mnist/mnist.bpnet"
args=(train "$model" --epochs "$epochs" --data 'mnist(train = 2000, test = 500)' --spark-partitions 2)
run() {  # NAME COMMAND...: runs, times, keeps the output
  local name="$1"
  shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$work/logs/$name.out" 2>&1 || { echo "$name failed:" >&2; tail -30 "$work/logs/$name.out" >&2; exit 1; }
  t1=$(date +%s.%N)
  awk -v n="$name" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s: %.1f s\n", n, b - a }'
  grep -E '^(epoch|test|on Spark)' "$work/logs/$name.out" | sed 's/^/    /'
}

echo "== training: $(printf '%q ' "${args[@]}")"
run local java "${jvm[@]}" -cp "$jar:$sparkcp" dev.bpnet.cli.Main "${args[@]}" --spark 'local[2]' \
  --out "$work/local"
# the job jar on the driver's own class path too (spark-submit --driver-class-path JAR): the driver
# compiles the generated trainer with javac against its JVM's class path, which a jar that
# SparkSubmit loads in a class loader of its own is not on
run submit java "${jvm[@]}" -cp "$jar:$sparkcp" org.apache.spark.deploy.SparkSubmit --master "$master" \
  --conf spark.driver.host=127.0.0.1 --conf spark.executor.memory=2g --class dev.bpnet.cli.Main "$jar" \
  "${args[@]}" --spark "$master" --out "$work/submit"
run bpnet env JAVA_TOOL_OPTIONS="-Dspark.jars=$jar -Dspark.driver.host=127.0.0.1 -Dspark.executor.memory=2g" \
  "$root/bpnet" "${args[@]}" --spark "$master" --out "$work/bpnet"
launched=$(grep -c "Asked to launch executor" "$work/logs/worker.log" || true)
[ "$launched" -ge 2 ] || { echo "the Worker launched $launched executors, expected one per cluster run" >&2; exit 1; }
echo "== the Worker launched $launched executors (one per cluster run)"

echo "== checking the cluster runs against the local one"
python3 - "$work" <<'EOF'
import sys, zipfile
work = sys.argv[1]
def metrics(run):
    rows = [l.rstrip('\n').split(',') for l in open(f'{work}/{run}/metrics.csv')]
    return [r[:-1] for r in rows]  # every column but the seconds
def params(run):
    with zipfile.ZipFile(f'{work}/{run}/params.npz') as z:
        return {n: z.read(n) for n in z.namelist()}
want_m, want_p = metrics('local'), params('local')
ok = True
for run in ('submit', 'bpnet'):
    m, p = metrics(run), params(run)
    same_m = m == want_m
    same_p = p == want_p
    print(f'{run}: params.npz {len(p)} arrays, {"equal" if same_p else "DIFFERENT"}; metrics.csv {len(m) - 1} epochs, '
          f'{"equal" if same_m else "DIFFERENT"} to local[2]')
    ok &= same_m and same_p
print('header:', ','.join(want_m[0]))
for r in want_m[1:]:
    print('local: ', ','.join(r))
sys.exit(0 if ok else 1)
EOF
echo "== ok; stopping the cluster"
