#!/usr/bin/env bash
# convergence.sh — how fast a 3-node cluster (N=3, W=quorum) heals after a fault under a steady write rate
# (a measurement, not a test: the figures come from the fault ITs, which print them).
#
#   dataplane/bench/convergence.sh [FAULTS]
#
# FAULTS is a failsafe method filter of io.hyperkv.it.ClusterFaultIT (default: aNodeCutOff*, the 30 s bus cut);
# "*" runs all three faults (SIGKILL and restart, SIGSTOP 20 s, 30 s cut). Each fault runs under Workload's steady
# rate: 2 writers per node at 100 operations/s each (INCR, SADD, SET own key, SET shared key). Printed per fault:
#   - the workload's acknowledged and unacknowledged writes and why the latter failed;
#   - the time until every node's DEBUG DIGEST is equal, after the writers stopped and after healing;
#   - hints delivered per second while they drained (hyperkv_hints_delivered_total, summed over the nodes, sampled
#     every 200 ms) and anti-entropy keys repaired per second while it repaired
#     (hyperkv_anti_entropy_keys_repaired_total; the fault ITs run a round every 5 s and ask one with POST /v1/repair).
# Packages the server first (tests skipped). Run it on an idle machine; a loaded one stretches every figure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
faults=${1:-aNodeCutOff*}

cd "$repo"
mvn -B -ntp -q -pl dataplane -DskipTests package
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
mvn -B -ntp -q -pl dataplane -DskipTests=false "-Dit.test=ClusterFaultIT#$faults" -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false verify 2>&1 | tee "$out" >&2 || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
grep -a '^fault ' "$out" || echo "no figures printed: see dataplane/target/failsafe-reports" >&2
exit "$status"
