package io.hyperkv.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Several real HyperKV server processes on 127.0.0.1 forming one cluster from a static peer list, for cluster tests:
 * separate JVMs ({@code -Xmx256m}), separate data directories, fixed ports chosen up front (RESP, HTTP, bus) and kept
 * across restarts, one cluster secret and one admin token. Faults: {@link #kill} (SIGKILL), {@link #stop} (SIGTERM),
 * {@link #pause}/{@link #resume} (SIGSTOP/SIGCONT), {@link #restart}. Put a {@link BusProxy} in front of a node's bus by
 * announcing the proxy's port in its peer entry once the bus exists. {@link #close()} ends every process and deletes
 * every directory. Use it in try-with-resources.
 */
public final class ClusterHarness implements AutoCloseable {

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

    private final List<ServerProcess> nodes;
    private final List<int[]> ports;
    private final String adminToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private ClusterHarness(List<ServerProcess> nodes, List<int[]> ports, String adminToken) {
        this.nodes = nodes;
        this.ports = ports;
        this.adminToken = adminToken;
    }

    /** {@code size} nodes with N = min(3, size) and the given extra properties for every node. */
    public static ClusterHarness start(int size, Map<String, String> common) {
        return start(size, common, i -> Map.of());
    }

    /**
     * Starts {@code size} nodes in parallel and waits until each answers PING. {@code perNode} adds properties to node
     * {@code i} (for example a configured node id); {@code common} and {@code perNode} override the defaults.
     */
    public static ClusterHarness start(int size, Map<String, String> common, IntFunction<Map<String, String>> perNode) {
        List<int[]> ports = freePorts(size);
        StringBuilder peers = new StringBuilder();
        for (int[] p : ports) {
            peers.append(peers.length() == 0 ? "" : ",").append("127.0.0.1:").append(p[2]);
        }
        SecureRandom random = new SecureRandom();
        String secret = HexFormat.of().formatHex(random.generateSeed(16));
        String token = HexFormat.of().formatHex(random.generateSeed(16));
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Map<String, String> props = new LinkedHashMap<>();
            props.put("hyperkv.port", Integer.toString(ports.get(i)[0]));
            props.put("quarkus.http.port", Integer.toString(ports.get(i)[1]));
            props.put("hyperkv.cluster.enabled", "true");
            props.put("hyperkv.cluster.bus-port", Integer.toString(ports.get(i)[2]));
            props.put("hyperkv.cluster.peers", peers.toString());
            props.put("hyperkv.cluster.replication-factor", Integer.toString(Math.min(3, size)));
            props.put("hyperkv.cluster.secret", secret);
            props.put("hyperkv.cluster.announce-host", "127.0.0.1");
            props.put("hyperkv.admin.token", token);
            props.putAll(common);
            props.putAll(perNode.apply(i));
            configs.add(props);
        }
        ExecutorService starter = Executors.newFixedThreadPool(size);
        List<Future<ServerProcess>> starting = new ArrayList<>();
        for (Map<String, String> props : configs) {
            starting.add(starter.submit(() -> ServerProcess.start(props)));
        }
        starter.shutdown();
        List<ServerProcess> nodes = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<ServerProcess> f : starting) {
            try {
                nodes.add(f.get());
            } catch (ExecutionException e) {
                failure = failure == null ? new IllegalStateException("a node did not start", e.getCause()) : failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException(e);
            }
        }
        if (failure != null) {
            nodes.forEach(ServerProcess::close);
            throw failure;
        }
        return new ClusterHarness(nodes, ports, token);
    }

    /** RESP, HTTP and bus port for each node, all distinct. */
    private static List<int[]> freePorts(int size) {
        List<Integer> free = freePortList(3 * size);
        List<int[]> ports = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ports.add(new int[] {free.get(3 * i), free.get(3 * i + 1), free.get(3 * i + 2)});
        }
        return ports;
    }

    /**
     * {@code count} distinct free ports of 127.0.0.1, below the kernel's ephemeral range: the nodes bind them a moment
     * later, and a port of the ephemeral range can be taken meanwhile by any outgoing connection (the nodes dial each
     * other while they start), which fails the start with "Address already in use". Each port is checked by binding
     * it; the sockets are held until every port is chosen.
     */
    static List<Integer> freePortList(int count) {
        int ceiling = Math.max(ephemeralLow(), 16_384);
        int floor = Math.max(1024, ceiling - 12_000);
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int attempt = 0; held.size() < count; attempt++) {
                if (attempt > 100 * count) {
                    throw new IllegalStateException("no " + count + " free ports in " + floor + ".." + ceiling);
                }
                try {
                    ServerSocket s = new ServerSocket();
                    s.setReuseAddress(false);
                    try {
                        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(),
                                random.nextInt(floor, ceiling)), 1);
                    } catch (IOException taken) {
                        s.close();
                        continue;
                    }
                    held.add(s);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return held.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // freed either way
                }
            }
        }
    }

    /** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
    private static int ephemeralLow() {
        try {
            // procfs reports size 0, so read it line-wise (Files.readString can return a truncated value)
            String range = java.nio.file.Files.readAllLines(
                    java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    public int size() {
        return nodes.size();
    }

    public ServerProcess node(int i) {
        return nodes.get(i);
    }

    public int respPort(int i) {
        return ports.get(i)[0];
    }

    public int httpPort(int i) {
        return ports.get(i)[1];
    }

    public int busPort(int i) {
        return ports.get(i)[2];
    }

    public String adminToken() {
        return adminToken;
    }

    /** An admin API call to node {@code i} with the cluster's token; {@code body} null for none. */
    public HttpResponse<String> admin(int i, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort(i) + path))
                .timeout(ADMIN_TIMEOUT)
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " on node " + i + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public void kill(int i) {
        nodes.get(i).kill();
    }

    public int stop(int i) {
        return nodes.get(i).stop(Duration.ofSeconds(30));
    }

    public void pause(int i) {
        nodes.get(i).pause();
    }

    public void resume(int i) {
        nodes.get(i).resume();
    }

    /** Starts node {@code i} again on its data directory and ports; it must have been killed or stopped. */
    public void restart(int i) {
        nodes.get(i).restart();
    }

    @Override
    public void close() {
        nodes.forEach(ServerProcess::close);
    }
}
