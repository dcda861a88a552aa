package io.hyperkv.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Continuous INCRs from inside the cluster, counted on the client side, so that "no acknowledged write lost"
 * is checkable: after the disruption, every counter must hold at least the number of INCRs whose reply was an
 * integer, and at most the number sent (an INCR whose reply was lost may or may not have been applied).
 *
 * <p>Each INCR is its own redis-cli invocation (a new connection through the client Service), so a pod going
 * away fails only the commands in flight on it, as it would for a real application's pooled connections.
 * The writer stops when the stop key is set or after {@code maxSeconds}, whichever comes first.
 */
final class CounterLoad implements AutoCloseable {

    static final String WRITER = """
            set -u
            end=$(( $(date +%s) + MAX_SECONDS ))
            i=0
            : > acked
            : > failed
            while [ "$(date +%s)" -lt "$end" ]; do
              key="$PREFIX:$(( i % KEYS ))"
              out=$(redis-cli -h "$HOST" -p "${PORT:-6379}" INCR "$key" 2>&1)
              case "$out" in
                ''|*[!0-9]*) echo "$key" >> failed ;;
                *) echo "$key" >> acked ;;
              esac
              i=$(( i + 1 ))
              if [ $(( i % 50 )) -eq 0 ]; then
                echo "progress $i"
                [ "$(redis-cli -h "$HOST" -p "${PORT:-6379}" EXISTS "$PREFIX:stop" 2>/dev/null)" = "1" ] && break
              fi
            done
            echo "attempted $i"
            sort acked | uniq -c | awk '{print "acked", $2, $1}'
            sort failed | uniq -c | awk '{print "failed", $2, $1}'
            echo "writer done"
            """;

    static final String READER = """
            set -u
            for h in $HOSTS; do
              k=0
              while [ "$k" -lt "$KEYS" ]; do
                echo "value $h $PREFIX:$k $(redis-cli -h "$h" -p "${PORT:-6379}" GET "$PREFIX:$k" 2>&1)"
                k=$(( k + 1 ))
              done
            done
            """;

    private final KubernetesClient client;
    private final SuiteSettings settings;
    private final ClusterUnderTest cluster;
    private final String prefix;
    private final int keys;
    private final ClientJob writer;

    private CounterLoad(KubernetesClient client, SuiteSettings settings, ClusterUnderTest cluster, String prefix, int keys,
            ClientJob writer) {
        this.client = client;
        this.settings = settings;
        this.cluster = cluster;
        this.prefix = prefix;
        this.keys = keys;
        this.writer = writer;
    }

    /** Starts the writer and returns once it has acknowledged INCRs flowing. */
    static CounterLoad start(KubernetesClient client, SuiteSettings settings, ClusterUnderTest cluster, String purpose,
            int keys, Duration maxDuration) {
        String prefix = "e2e:" + purpose + ":" + UUID.randomUUID().toString().substring(0, 8);
        ClientJob writer = ClientJob.start(client, settings, cluster, purpose + "-writer", WRITER, Map.of(
                "HOST", cluster.clientServiceHost(),
                "PREFIX", prefix,
                "KEYS", Integer.toString(keys),
                "MAX_SECONDS", Long.toString(maxDuration.toSeconds())));
        CounterLoad load = new CounterLoad(client, settings, cluster, prefix, keys, writer);
        writer.awaitOutput("progress", Duration.ofMinutes(3));
        return load;
    }

    /** Asks the writer to stop, waits for it and returns what it counted. */
    WriteTally stop() {
        ClientJob.run(client, settings, cluster, "stop", "redis-cli -h \"$HOST\" SET \"$PREFIX:stop\" 1",
                Map.of("HOST", cluster.clientServiceHost(), "PREFIX", prefix));
        return WriteTally.parse(writer.awaitLog(settings.settle()));
    }

    /**
     * Waits until every data-plane pod and the client Service return the same value for every counter (the
     * replicas have converged), then checks each value against the tally.
     */
    void assertNoAcknowledgedWriteLost(WriteTally tally) {
        Map<String, Map<String, String>> lastRead = new HashMap<>();
        await("all replicas return the same counters").atMost(settings.settle()).pollInterval(Duration.ofSeconds(5))
                .until(() -> {
                    lastRead.clear();
                    lastRead.putAll(readEverywhere());
                    return lastRead.values().stream().distinct().count() == 1;
                });
        tally.assertAccountsFor(prefix, keys, lastRead.values().iterator().next());
    }

    /** Host (pod IP or the client Service) to key to the value it returned. */
    private Map<String, Map<String, String>> readEverywhere() {
        List<String> hosts = new java.util.ArrayList<>();
        hosts.add(cluster.clientServiceHost());
        for (Pod pod : cluster.pods()) {
            hosts.add(pod.getStatus().getPodIP());
        }
        String out = ClientJob.run(client, settings, cluster, "read", READER, Map.of(
                "HOSTS", String.join(" ", hosts), "PREFIX", prefix, "KEYS", Integer.toString(keys)));
        Map<String, Map<String, String>> byHost = parseReads(out);
        assertThat(byHost.keySet()).as("hosts read").containsExactlyInAnyOrderElementsOf(hosts);
        return byHost;
    }

    /** The reader's output as host to key to value ("" for a missing key). */
    static Map<String, Map<String, String>> parseReads(String out) {
        Map<String, Map<String, String>> byHost = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split(" ", 4);
            if (parts.length >= 3 && parts[0].equals("value")) {
                byHost.computeIfAbsent(parts[1], h -> new TreeMap<>()).put(parts[2], parts.length == 4 ? parts[3] : "");
            }
        }
        return byHost;
    }

    @Override
    public void close() {
        writer.close();
    }

    /**
     * What the writer saw.
     *
     * @param attempted INCRs sent
     * @param acked     per key, INCRs answered with an integer
     * @param failed    per key, INCRs answered with an error or not at all
     */
    record WriteTally(long attempted, Map<String, Long> acked, Map<String, Long> failed) {

        static WriteTally parse(String log) {
            long attempted = -1;
            Map<String, Long> acked = new TreeMap<>();
            Map<String, Long> failed = new TreeMap<>();
            boolean done = false;
            for (String line : log.split("\n")) {
                String[] parts = line.trim().split(" ");
                switch (parts[0]) {
                    case "attempted" -> attempted = Long.parseLong(parts[1]);
                    case "acked" -> acked.put(parts[1], Long.parseLong(parts[2]));
                    case "failed" -> failed.put(parts[1], Long.parseLong(parts[2]));
                    case "writer" -> done = true;
                    default -> { }
                }
            }
            if (!done || attempted < 0) {
                throw new AssertionError("the writer did not finish its report:\n" + log);
            }
            return new WriteTally(attempted, Map.copyOf(acked), Map.copyOf(failed));
        }

        long totalAcked() {
            return acked.values().stream().mapToLong(Long::longValue).sum();
        }

        /**
         * Every counter {@code prefix:0..keys-1} holds at least its acknowledged INCRs (none lost) and at most
         * its acknowledged plus unacknowledged ones (none invented or applied twice).
         */
        void assertAccountsFor(String prefix, int keys, Map<String, String> values) {
            assertThat(totalAcked()).as("acknowledged INCRs (the load must have run)").isPositive();
            for (int k = 0; k < keys; k++) {
                String key = prefix + ":" + k;
                long ackedIncrs = acked.getOrDefault(key, 0L);
                long failedIncrs = failed.getOrDefault(key, 0L);
                assertThat(values.get(key)).as("value of %s", key).isNotNull().matches("[0-9]+");
                long value = Long.parseLong(values.get(key));
                assertThat(value).as("%s: %d acknowledged INCRs, %d unacknowledged", key, ackedIncrs, failedIncrs)
                        .isGreaterThanOrEqualTo(ackedIncrs)
                        .isLessThanOrEqualTo(ackedIncrs + failedIncrs);
            }
        }
    }
}
