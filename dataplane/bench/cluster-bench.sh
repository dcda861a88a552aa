#!/usr/bin/env bash
# cluster-bench.sh — what replication costs a client: redis-benchmark SET and GET through one node of a 3-node
# cluster (N=3) with W=one and with W=quorum, as ratios to a single node (a benchmark, not a test).
#
#   dataplane/bench/cluster-bench.sh [ROUNDS]
#
# Builds the packaged server if it is missing. For each setup — a single node (cluster disabled), then a 3-node
# cluster on 127.0.0.1 formed from a static peer list with W=one, then the same with W=quorum — it starts fresh
# nodes (appendfsync everysec, throw-away data directories), warms the JVMs up, runs redis-benchmark ROUNDS times
# (default 3) through node 1 only, keeps the median requests/s per test, and stops the nodes. Every node of a 3-node
# N=3 cluster owns every slot, so node 1 applies each write and replicates it; nothing is forwarded.
# Environment: BENCH_N (requests, default 100000), BENCH_C (clients, 50), BENCH_P (pipeline, 1), JAVA_OPTS
# (default -Xmx512m per node), BENCH_WARMUP (0 skips the warm-up).
# The numbers mean something only on an otherwise idle machine with at least 4 cores: three JVMs and
# redis-benchmark share it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${1:-3}
requests=${BENCH_N:-100000}
clients=${BENCH_C:-50}
pipeline=${BENCH_P:-1}

# shellcheck source=lib.sh
source "$here/lib.sh"

work=$(mktemp -d)
pids=()
entry=
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop_nodes() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() { stop_nodes; rm -rf "$work"; }
trap cleanup EXIT

# start_node NAME RESP_PORT [-Dkey=value...]: starts one node in the background, its log in $work/NAME.log.
start_node() {
  local name=$1 port=$2
  shift 2
  # shellcheck disable=SC2086
  java ${JAVA_OPTS:--Xmx512m} -Dhyperkv.port="$port" -Dhyperkv.bind=127.0.0.1 -Dhyperkv.appendfsync=everysec \
    -Dhyperkv.data-dir="$work/$name" -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$(free_port)" "$@" \
    -jar "$jar" >"$work/$name.log" 2>&1 &
  pids+=($!)
}

# await_writable PORT NAME: until a SET through the node is acknowledged (a cluster node needs its topology first).
await_writable() {
  for _ in $(seq 600); do
    [[ $(redis-cli -p "$1" set cluster-bench:probe 1 2>/dev/null) == OK ]] && return 0
    sleep 0.1
  done
  echo "node $2 did not accept a write within 60 s:" >&2
  tail -20 "$work/$2.log" >&2
  exit 1
}

# cluster W: three nodes from one static peer list, N=3, write consistency W; node 1's RESP port in $entry.
# (Not run in a $(...) subshell: the nodes' pids must reach stop_nodes.)
cluster() {
  local w=$1 secret peers="" resp=() bus=()
  secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  for i in 1 2 3; do
    resp+=("$(free_port)")
    bus+=("$(free_port)")
    peers+="${peers:+,}127.0.0.1:${bus[-1]}"
  done
  for i in 0 1 2; do
    start_node "$w-node$((i + 1))" "${resp[i]}" -Dhyperkv.cluster.enabled=true \
      -Dhyperkv.cluster.bus-port="${bus[i]}" -Dhyperkv.cluster.peers="$peers" \
      -Dhyperkv.cluster.replication-factor=3 -Dhyperkv.cluster.write-consistency="$w" \
      -Dhyperkv.cluster.secret="$secret" -Dhyperkv.cluster.announce-host=127.0.0.1
  done
  for i in 0 1 2; do await_writable "${resp[i]}" "$w-node$((i + 1))"; done
  entry=${resp[0]}
}

# measure LABEL PORT: warm up, then ROUNDS runs of SET and GET; the median requests/s per test on one line each.
measure() {
  local label=$1 port=$2
  if [[ ${BENCH_WARMUP:-1} != 0 ]]; then
    redis-benchmark -p "$port" -q -n "$requests" -c "$clients" -P "$pipeline" -t set,get -r 100000 -d 32 \
      >/dev/null 2>&1 || true
  fi
  for r in $(seq "$rounds"); do
    redis-benchmark -p "$port" -q -n "$requests" -c "$clients" -P "$pipeline" -t set,get -r 100000 -d 32 |
      tr '\r' '\n' | grep 'requests per second' | sed "s/^ *//"
  done | python3 -c '
import re, statistics, sys
runs = {}
for line in sys.stdin:
    m = re.match(r"(\w+): ([0-9.]+) requests per second", line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
for test, values in runs.items():
    print(sys.argv[1], test, round(statistics.median(values)))
' "$label" | tee -a "$work/results"
}

echo "redis-benchmark -n $requests -c $clients -P $pipeline -t set,get, $rounds rounds (median); $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
single=$(free_port)
start_node single "$single"
await_writable "$single" single
measure single "$single"
stop_nodes
for w in one quorum; do
  cluster "$w"
  measure "cluster-W=$w" "$entry"
  stop_nodes
done

python3 - "$work/results" <<'EOF'
import sys
rates = {}
for line in open(sys.argv[1]):
    label, test, rps = line.split()
    rates[(label, test)] = float(rps)
print("%-18s %-4s %12s %8s" % ("setup", "test", "requests/s", "ratio"))
for (label, test), rps in rates.items():
    base = rates.get(("single", test))
    print("%-18s %-4s %12.0f %8.2f" % (label, test, rps, rps / base if base else float("nan")))
EOF
