#!/usr/bin/env bash
# bench.sh — throughput of one HyperKV node under redis-benchmark (a benchmark, not a test).
#
#   dataplane/bench/bench.sh [ROUNDS]
#
# Builds the packaged server if it is missing, starts one node with appendfsync everysec on a free
# port and a throw-away data directory, then runs ../shared/tools/redis-ratio.sh (HyperKV against
# a local redis-server, side by side) when that script exists beside the repository, else plain
# redis-benchmark. The node is always stopped and its data removed on exit.
# Environment: BENCH_N, BENCH_C, BENCH_TESTS, BENCH_PIPELINES (as redis-ratio.sh), JAVA_OPTS,
# RATIO_SCRIPT (path of redis-ratio.sh when shared/ is not beside the repository), BENCH_WARMUP, BENCH_WARMUP_N
# (warm-up requests per test and pipeline, default 300000: a JVM keeps compiling for millions of requests), BENCH_JAR
# (the server jar to run instead of this tree's build, e.g. a copy of another commit's quarkus-app).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${1:-3}
# shellcheck source=lib.sh
source "$here/lib.sh"

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
http=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pid=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086
java ${JAVA_OPTS:--Xmx1g} -Dhyperkv.port="$port" -Dhyperkv.bind=127.0.0.1 -Dhyperkv.appendfsync=everysec \
  -Dhyperkv.data-dir="$work/data" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$http" \
  -jar "$jar" >"$work/node.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/node.log" >&2; exit 1; }
  sleep 0.1
done
redis-cli -p "$port" ping >/dev/null || { echo "node did not answer PING" >&2; cat "$work/node.log" >&2; exit 1; }
echo "HyperKV node pid $pid on 127.0.0.1:$port (appendfsync everysec, data in $work/data)" >&2

# Warm-up: a JVM compiles its hot paths during the first seconds under load, and redis-ratio.sh's
# runs are only seconds long, so without this the first rounds measure the JIT compiler, not the
# server. BENCH_WARMUP=0 skips it.
if [[ ${BENCH_WARMUP:-1} != 0 ]]; then
  echo "warming up the JVM (redis-benchmark, results discarded)..." >&2
  for pl in 16 1; do
    redis-benchmark -p "$port" -q -n "${BENCH_WARMUP_N:-300000}" -c 50 -P "$pl" -t "${BENCH_TESTS:-set,get,incr,lpush,sadd,hset}" \
      -r 100000 -d 32 >/dev/null 2>&1 || true
  done
fi

# shared/ sits beside the repository clone; RATIO_SCRIPT overrides where to find the script.
ratio=${RATIO_SCRIPT:-"$repo/../shared/tools/redis-ratio.sh"}
if [[ -f $ratio ]]; then
  bash "$ratio" "$port" "$rounds"
else
  for pl in ${BENCH_PIPELINES:-1 16}; do
    redis-benchmark -p "$port" -q -n "${BENCH_N:-200000}" -c "${BENCH_C:-50}" -P "$pl" \
      -t "${BENCH_TESTS:-set,get,incr,lpush,sadd,hset}" -r 100000 -d 32 | tr '\r' '\n' |
      grep 'requests per second' | sed "s/^ */P$pl /"
  done
fi
