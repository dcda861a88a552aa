package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;

/**
 * A {@link ClusterHarness} with every node's replication bus behind its own {@link BusProxy}, and the checks fault
 * tests share: the static peer list names the proxies, so every bus connection crosses the proxy of the node it
 * dials, and {@link #isolate} cuts one node off in both directions (its proxy black-holes what the others send it, the
 * others' proxies black-hole the links it dialed) while the rest still reach each other. Client (RESP) and admin
 * traffic do not cross the proxies.
 *
 * <p>{@link #close()} stops the nodes, then the proxies.
 */
final class FaultCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FORM_TIMEOUT = Duration.ofSeconds(90);
    private static final ProtocolCommand DEBUG = () -> "DEBUG".getBytes(StandardCharsets.US_ASCII);

    private final ClusterHarness cluster;
    private final List<BusProxy> proxies;
    private final List<String> ids;

    private FaultCluster(ClusterHarness cluster, List<BusProxy> proxies, List<String> ids) {
        this.cluster = cluster;
        this.proxies = proxies;
        this.ids = ids;
    }

    /** Starts {@code size} nodes (N = min(3, size)) with {@code settings} for every node, and waits until it formed. */
    static FaultCluster start(int size, Map<String, String> settings) {
        return start(size, settings, ports -> { });
    }

    /**
     * Like {@link #start(int, Map)}; {@code beforeLaunch} sees each node's RESP, HTTP and bus port (the one behind its
     * proxy) just before the nodes launch. A node that finds its bus port taken moves it: its proxy forwards there.
     */
    static FaultCluster start(int size, Map<String, String> settings,
            java.util.function.Consumer<List<int[]>> beforeLaunch) {
        List<Integer> busPorts = ClusterHarness.freePortList(size);
        List<BusProxy> proxies = new ArrayList<>();
        ClusterHarness cluster = null;
        try {
            StringBuilder peers = new StringBuilder();
            for (int port : busPorts) {
                BusProxy proxy = BusProxy.start(port);
                proxies.add(proxy);
                peers.append(peers.length() == 0 ? "" : ",").append("127.0.0.1:").append(proxy.port());
            }
            Map<String, String> common = new HashMap<>(settings);
            common.put("hyperkv.cluster.peers", peers.toString());
            cluster = ClusterHarness.start(size, common,
                    i -> Map.of("hyperkv.cluster.bus-port", Integer.toString(busPorts.get(i))), i -> {
                        int moved = ClusterHarness.freePortList(1).get(0);
                        proxies.get(i).retarget(moved);
                        return moved;
                    }, beforeLaunch);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                ids.add(json(cluster.admin(i, "GET", "/v1/node", null)).get("nodeId").asText());
            }
            FaultCluster formed = new FaultCluster(cluster, proxies, ids);
            formed.awaitLinksUp();
            return formed;
        } catch (RuntimeException | Error e) {
            if (cluster != null) {
                cluster.close();
            }
            proxies.forEach(BusProxy::close);
            throw e;
        }
    }

    /** Waits until every node holds a topology and has seen every other node UP on its own outbound link. */
    void awaitLinksUp() {
        await("every node to hold a topology and see its peers UP").atMost(FORM_TIMEOUT).untilAsserted(() -> {
            for (int i = 0; i < size(); i++) {
                assertThat(json(cluster.admin(i, "GET", "/v1/node", null)).get("epoch").asLong())
                        .as("epoch on node %d", i).isPositive();
                for (int j = 0; j < size(); j++) {
                    if (j != i) {
                        assertThat(cluster.node(i).log()).contains("(node " + ids.get(j) + ") is now UP");
                    }
                }
            }
        });
    }

    ClusterHarness harness() {
        return cluster;
    }

    int size() {
        return cluster.size();
    }

    String nodeId(int i) {
        return ids.get(i);
    }

    List<Integer> respPorts() {
        return IntStream.range(0, size()).mapToObj(cluster::respPort).toList();
    }

    /** Cuts node {@code i}'s bus off from every other node, both ways, until {@link #heal()}. */
    void isolate(int i) {
        proxies.get(i).mode(BusProxy.Mode.BLACKHOLE);
        for (int j = 0; j < proxies.size(); j++) {
            if (j != i) {
                proxies.get(j).blackholeDialer(ids.get(i));
            }
        }
    }

    /** Lets all bus traffic pass again; what the proxies held arrives intact and in order. */
    void heal() {
        for (BusProxy proxy : proxies) {
            proxy.passDialers();
            proxy.mode(BusProxy.Mode.PASS);
        }
    }

    /** The lines of node {@code i}'s current log that contain {@code needle}. */
    List<String> logLines(int i, String needle) {
        return cluster.node(i).log().lines().filter(line -> line.contains(needle)).toList();
    }

    /** How many times node {@code i}'s current process logged that it saw node {@code j} go DOWN. */
    int downsSeen(int i, int j) {
        String needle = "(node " + ids.get(j) + ") is now DOWN";
        String log = cluster.node(i).log();
        int n = 0;
        for (int at = log.indexOf(needle); at >= 0; at = log.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Asks every node for an anti-entropy round now ({@code POST /v1/repair}). Returns false, having asked nobody, when
     * the nodes do not have that endpoint (404): convergence then rests on hints and scheduled rounds.
     */
    boolean repair() {
        for (int i = 0; i < size(); i++) {
            HttpResponse<String> r = cluster.admin(i, "POST", "/v1/repair", null);
            if (r.statusCode() == 404 && i == 0) {
                return false;
            }
            assertThat(r.statusCode()).as("POST /v1/repair on node %d: %s", i, r.body()).isBetween(200, 299);
        }
        return true;
    }

    /**
     * The sum of every sample of Prometheus metric {@code name} (all tags) in node {@code i}'s {@code /q/metrics};
     * 0 when the node has none yet (meters of a peer appear with its first hint).
     */
    double meter(int i, String name) {
        HttpResponse<String> r = cluster.admin(i, "GET", "/q/metrics", null);
        assertThat(r.statusCode()).as("GET /q/metrics on node %d", i).isEqualTo(200);
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** {@code DEBUG DIGEST} of node {@code i}: 40 hex digits over all its data. */
    String digest(int i) {
        try (Jedis jedis = jedis(i)) {
            Object reply = jedis.sendCommand(DEBUG, "DIGEST");
            return new String((byte[]) reply, StandardCharsets.US_ASCII);
        }
    }

    /**
     * Waits (at most {@code bound}) until every node's {@link #digest} is the same, and returns how long that took. A
     * node that does not know {@code DEBUG DIGEST} fails the wait at once.
     */
    Duration awaitEqualDigests(Duration bound) {
        long start = System.nanoTime();
        await("every replica's DEBUG DIGEST to be equal").atMost(bound).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    List<String> digests = IntStream.range(0, size()).mapToObj(this::digest).toList();
                    assertThat(new HashSet<>(digests)).as("DEBUG DIGEST of each node: %s", digests).hasSize(1);
                });
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** A client of node {@code i} with a timeout long enough for a loaded machine. */
    Jedis jedis(int i) {
        return new Jedis("127.0.0.1", cluster.respPort(i), 10_000);
    }

    static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(response.body(), e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } finally {
            proxies.forEach(BusProxy::close);
        }
    }
}
