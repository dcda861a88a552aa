#!/usr/bin/env bash
# repair.sh — how fast anti-entropy repairs a replica that missed writes: keys repaired per second (a benchmark, not
# a test).
#
#   dataplane/bench/repair.sh [ROUNDS]
#
# Per variant and per round (default 3 rounds, the median printed): three fresh nodes on 127.0.0.1 form a cluster
# from a static peer list (N=3, W=one, hinted handoff bounded to 1 byte so a down peer's deltas are dropped, scheduled
# anti-entropy an hour apart); once every node holds all its slots in sync, node 3 is frozen (SIGSTOP) until nodes 1
# and 2 see it down, the variant's writes go to node 1 (redis-cli --pipe), node 3 is thawed (SIGCONT), and when node 1
# sees it up a round is asked of node 1 (POST /v1/repair) and the clock runs until DEBUG DIGEST is equal on the three
# nodes. Nodes 1 and 2 also start a round of their own when node 3 comes back: both repair it, as in production.
# Variants:
#   keys  BENCH_K (default 100000) string keys of 16-byte values that node 3 misses: keys/s = K / time to equal digests;
#   set   one set of BENCH_M (default 200000) members that node 3 misses entirely: members/s likewise (one key, shipped
#         in parts of at most the repair message bound).
# Also printed per run: the anti-entropy rounds' own report lines (node logs) and the largest anti-entropy message
# (hyperkv_anti_entropy_message_bytes_max, the three nodes' maximum), to show it stays bounded.
# Environment: BENCH_K, BENCH_M, BENCH_VARIANTS (default "keys set"), BENCH_JAR (default the packaged server),
# JAVA_OPTS (default -Xmx512m per node).
# Builds the packaged server if it is missing. Three JVMs share the machine: run it on an idle one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
rounds=${1:-3}
keys=${BENCH_K:-100000}
members=${BENCH_M:-200000}
variants=${BENCH_VARIANTS:-keys set}

# shellcheck source=lib.sh
source "$here/lib.sh"
jar=${BENCH_JAR:-$jar} # another packaged server (e.g. a copy, so that a rebuild cannot change it mid-run)

work=$(mktemp -d)
pids=()
resp=()
http=()
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# stop_nodes: thaws and stops every node started (SIGTERM, SIGKILL after 10 s) and reaps them.
stop_nodes() {
  ((${#pids[@]})) || return 0
  kill -CONT "${pids[@]}" 2>/dev/null || true
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "${pids[@]}" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
}
cleanup() { stop_nodes; rm -rf "$work"; }
trap cleanup EXIT

# http_get PORT PATH / http_post PORT PATH: the admin API and metrics on a node's HTTP port.
http_get() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), timeout=10).read().decode())' "$@"; }
http_post() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%s%s" % (sys.argv[1], sys.argv[2]), data=b"", method="POST"), timeout=10).read().decode())' "$@"; }

# await WHAT SECONDS COMMAND...: until COMMAND succeeds, polling every 100 ms; exits naming WHAT after SECONDS.
await() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq $((seconds * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  echo "timed out after ${seconds}s waiting for $what" >&2
  tail -5 "$work"/node*.log >&2
  exit 1
}

# Node i (0-based) sees every peer in STATE, and (when asked) holds all its slots in sync.
peers_are() {
  http_get "${http[$1]}" /v1/node 2>/dev/null | python3 -c '
import json, sys
try:
    node = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
want, sync = sys.argv[1], sys.argv[2] == "sync"
peers = [p for p in node["peers"] if p["id"] is not None]
ok = len(peers) == 2 and all(p["state"] == want for p in peers)
if sync:
    ok = ok and all(r.get("inSync") for r in node["slots"])
sys.exit(0 if ok else 1)' "$2" "${3:-}"
}
# Node i sees node 3 (index 2) in STATE.
sees_node3() {
  local id3=$2 want=$3
  http_get "${http[$1]}" /v1/node 2>/dev/null | python3 -c '
import json, sys
try:
    node = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
sys.exit(0 if any(p["id"] == sys.argv[1] and p["state"] == sys.argv[2] for p in node["peers"]) else 1)' "$id3" "$want"
}
digests_equal() {
  local d1 d2 d3
  d1=$(redis-cli -p "${resp[0]}" debug digest) && d2=$(redis-cli -p "${resp[1]}" debug digest) &&
    d3=$(redis-cli -p "${resp[2]}" debug digest) && [[ $d1 == "$d2" && $d2 == "$d3" ]]
}

start_cluster() {
  local secret peers="" bus=()
  secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  resp=()
  http=()
  rm -rf "$work"/node*
  for i in 0 1 2; do
    resp+=("$(free_port)")
    http+=("$(free_port)")
    bus+=("$(free_port)")
    peers+="${peers:+,}127.0.0.1:${bus[-1]}"
  done
  for i in 0 1 2; do
    # shellcheck disable=SC2086
    java ${JAVA_OPTS:--Xmx512m} -Dhyperkv.port="${resp[i]}" -Dhyperkv.bind=127.0.0.1 \
      -Dhyperkv.appendfsync=everysec -Dhyperkv.data-dir="$work/node$((i + 1))" \
      -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="${http[i]}" \
      -Dhyperkv.cluster.enabled=true -Dhyperkv.cluster.bus-port="${bus[i]}" -Dhyperkv.cluster.peers="$peers" \
      -Dhyperkv.cluster.replication-factor=3 -Dhyperkv.cluster.write-consistency=one \
      -Dhyperkv.cluster.secret="$secret" -Dhyperkv.cluster.announce-host=127.0.0.1 \
      -Dhyperkv.cluster.hints.max-bytes=1 -Dhyperkv.cluster.anti-entropy-interval=1h \
      -jar "$jar" >"$work/node$((i + 1)).log" 2>&1 &
    pids+=($!)
  done
  for i in 0 1 2; do
    await "node $((i + 1)) to see its peers up and its slots in sync" 120 peers_are "$i" up sync
  done
}

# writes VARIANT: the RESP commands of the variant, for redis-cli --pipe.
writes() {
  python3 - "$1" "$keys" "$members" <<'EOF'
import sys
variant, keys, members = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = sys.stdout.buffer
def command(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
if variant == "keys":
    for i in range(keys):
        command("SET", "repair:%08d" % i, "v" * 16)
else:
    for start in range(0, members, 1000):
        command("SADD", "repair:big", *["member:%09d" % m for m in range(start, min(members, start + 1000))])
EOF
}

# run VARIANT: one measurement, "VARIANT SECONDS ITEMS/s LARGEST_MESSAGE" appended to $work/results.
run() {
  local variant=$1 items id3 t0 t1 largest
  items=$([[ $variant == keys ]] && echo "$keys" || echo "$members")
  start_cluster
  id3=$(http_get "${http[2]}" /v1/node | python3 -c 'import json, sys; print(json.load(sys.stdin)["nodeId"])')
  kill -STOP "${pids[2]}"
  for i in 0 1; do await "node $((i + 1)) to see node 3 down" 60 sees_node3 "$i" "$id3" down; done
  writes "$variant" | redis-cli -p "${resp[0]}" --pipe >/dev/null
  kill -CONT "${pids[2]}"
  await "node 1 to see node 3 up" 60 sees_node3 0 "$id3" up
  t0=$(date +%s.%N)
  http_post "${http[0]}" '/v1/repair?waitSeconds=0' >/dev/null
  await "equal digests" 600 digests_equal
  t1=$(date +%s.%N)
  largest=0
  for i in 0 1 2; do
    largest=$(http_get "${http[i]}" /q/metrics | python3 -c '
import sys
best = int(sys.argv[1])
for line in sys.stdin:
    if line.startswith("hyperkv_anti_entropy_message_bytes_max"):
        best = max(best, int(float(line.split()[-1])))
print(best)' "$largest")
  done
  grep -h 'anti-entropy round' "$work"/node*.log | sed 's/^.*anti-entropy round/  round/' >&2 || true
  python3 -c 'import sys; t0, t1, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]); print(sys.argv[4], round(t1 - t0, 2), round(n / (t1 - t0)), sys.argv[5])' \
    "$t0" "$t1" "$items" "$variant" "$largest" | tee -a "$work/results" >&2
  stop_nodes
}

echo "repair benchmark: $rounds rounds per variant, K=$keys keys, M=$members set members; $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "per run: variant, seconds from POST /v1/repair to equal digests, items/s, largest AE message (bytes)" >&2
for variant in $variants; do
  for _ in $(seq "$rounds"); do run "$variant"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$work/results" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    variant, seconds, rate, largest = line.split()
    runs.setdefault(variant, []).append((float(seconds), int(rate), int(largest)))
for variant, rs in runs.items():
    rates = sorted(r[1] for r in rs)
    unit = "keys/s" if variant == "keys" else "members/s"
    print(f"{variant}: median {statistics.median(rates):.0f} {unit} over {len(rs)} runs (all: {rates}); "
          f"seconds {[r[0] for r in rs]}; largest anti-entropy message {max(r[2] for r in rs)} bytes")
EOF
