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
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * Several real HyperKV server processes on 127.0.0.1 forming one cluster from a static peer list, for cluster tests:
 * separate JVMs ({@code -Xmx256m}), separate data directories, fixed ports chosen up front (RESP, HTTP, bus) and kept
 * across restarts, one cluster secret and one admin token. Faults: {@link #kill} (SIGKILL), {@link #stop} (SIGTERM),
 * {@link #pause}/{@link #resume} (SIGSTOP/SIGCONT), {@link #restart}. Put a {@link BusProxy} in front of a node's bus by
 * announcing the proxy's port in its peer entry once the bus exists. A port taken by another process between its pick
 * and the node's bind is picked again (see {@link #start(int, Map, IntFunction, IntUnaryOperator, Consumer)}).
 * {@link #close()} ends every process and deletes every directory. Use it in try-with-resources.
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
        return start(size, common, perNode, null, ports -> { });
    }

    /** How many times a node is launched, or the whole cluster when a port every node knows was taken. */
    static final int START_ATTEMPTS = 3;

    /**
     * Like {@link #start(int, Map, IntFunction)}, for harnesses that know more about the bus ports.
     *
     * <p>The ports are picked free a moment before the nodes bind them, so another process can take one meanwhile; the
     * node then exits with "Address already in use". Such a node is launched again (at most {@value #START_ATTEMPTS}
     * times) on fresh RESP and HTTP ports, which only clients know. Its bus port is in every node's peer list: when the
     * harness chose it, a node that could not bind it makes the harness start the whole cluster again on fresh ports
     * (at most {@value #START_ATTEMPTS} times); when {@code perNode} sets it (a {@link BusProxy} in front announces
     * another port), {@code busMover} may move it: it is given the node's index, points whatever forwards to that bus
     * at a fresh port, and returns that port; null when the bus port cannot move. Any other start failure fails at
     * once, with the node's log.
     *
     * @param beforeLaunch sees every node's chosen RESP, HTTP and bus port just before the nodes launch (tests of the
     *     harness itself take one of them)
     */
    static ClusterHarness start(int size, Map<String, String> common, IntFunction<Map<String, String>> perNode,
            IntUnaryOperator busMover, Consumer<List<int[]>> beforeLaunch) {
        for (int attempt = 1;; attempt++) {
            try {
                return startOnce(size, common, perNode, busMover, beforeLaunch);
            } catch (BusPortTaken e) {
                if (attempt >= START_ATTEMPTS) {
                    throw new IllegalStateException("a node's bus port was taken on each of " + attempt
                            + " cluster starts", e.getCause());
                }
                System.err.println("ClusterHarness: node " + e.node + " could not bind its bus port "
                        + e.port + " (Address already in use); starting the cluster again on fresh ports");
            }
        }
    }

    private static ClusterHarness startOnce(int size, Map<String, String> common,
            IntFunction<Map<String, String>> perNode, IntUnaryOperator busMover, Consumer<List<int[]>> beforeLaunch) {
        List<int[]> ports = freePorts(size);
        StringBuilder peers = new StringBuilder();
        for (int[] p : ports) {
            peers.append(peers.length() == 0 ? "" : ",").append("127.0.0.1:").append(p[2]);
        }
        SecureRandom random = new SecureRandom();
        String secret = HexFormat.of().formatHex(random.generateSeed(16));
        String token = HexFormat.of().formatHex(random.generateSeed(16));
        List<Map<String, String>> configs = new ArrayList<>();
        List<Map<String, String>> fixed = new ArrayList<>();
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
            Map<String, String> own = new LinkedHashMap<>(common);
            own.putAll(perNode.apply(i));
            props.putAll(own);
            String bus = props.get("hyperkv.cluster.bus-port");
            ports.get(i)[2] = Integer.parseInt(bus);
            configs.add(props);
            fixed.add(own);
        }
        beforeLaunch.accept(ports);
        ExecutorService starter = Executors.newFixedThreadPool(size);
        List<Future<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int node = i;
            starting.add(starter.submit(() -> launch(node, configs.get(node), fixed.get(node), ports.get(node),
                    busMover)));
        }
        starter.shutdown();
        List<ServerProcess> nodes = new ArrayList<>();
        RuntimeException failure = null;
        for (Future<ServerProcess> f : starting) {
            try {
                nodes.add(f.get());
            } catch (ExecutionException e) {
                // any other failure wins over a taken bus port: starting again would not cure it
                if (failure == null || failure instanceof BusPortTaken && !(e.getCause() instanceof BusPortTaken)) {
                    failure = e.getCause() instanceof BusPortTaken taken ? taken
                            : new IllegalStateException("a node did not start", e.getCause());
                }
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

    /**
     * Launches node {@code node}, again on fresh ports when one it was given is taken (see
     * {@link #start(int, Map, IntFunction, IntUnaryOperator, Consumer)}); updates {@code ports} to what it bound.
     */
    private static ServerProcess launch(int node, Map<String, String> props, Map<String, String> fixed, int[] ports,
            IntUnaryOperator busMover) {
        for (int attempt = 1;; attempt++) {
            try {
                ServerProcess started = ServerProcess.start(props);
                ports[0] = started.respPort();
                ports[1] = started.httpPort();
                return started;
            } catch (ServerProcess.StartFailure e) {
                ServerProcess.Listener taken = e.listenerInUse().orElseThrow(() -> e);
                String key = switch (taken) {
                    case RESP -> "hyperkv.port";
                    case HTTP -> "quarkus.http.port";
                    case BUS -> "hyperkv.cluster.bus-port";
                };
                boolean harnessChose = !fixed.containsKey(key);
                if (taken == ServerProcess.Listener.BUS && harnessChose) {
                    throw new BusPortTaken(node, Integer.parseInt(props.get(key)), e);
                }
                if (!harnessChose && (taken != ServerProcess.Listener.BUS || busMover == null)
                        || attempt >= START_ATTEMPTS) {
                    throw e;
                }
                String was = props.get(key);
                String now = Integer.toString(taken == ServerProcess.Listener.BUS ? busMover.applyAsInt(node)
                        : freePortList(1).get(0));
                props.put(key, now);
                if (taken == ServerProcess.Listener.BUS) {
                    ports[2] = Integer.parseInt(now);
                }
                System.err.println("ClusterHarness: node " + node + " could not bind its " + taken + " port " + was
                        + " (Address already in use); launching it again on port " + now);
            }
        }
    }

    /** A node could not bind the bus port the harness chose, which every node's peer list names. */
    private static final class BusPortTaken extends RuntimeException {

        final int node;
        final int port;

        BusPortTaken(int node, int port, Throwable cause) {
            super("node " + node + " could not bind its bus port " + port, cause);
            this.node = node;
            this.port = port;
        }
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
