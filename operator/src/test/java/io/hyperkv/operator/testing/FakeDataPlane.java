package io.hyperkv.operator.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hyperkv.operator.membership.Topology;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * A stand-in for one data-plane node's admin API on 127.0.0.1 (GET /v1/node, PUT /v1/topology, bearer token),
 * answering as the data plane's {@code io.hyperkv.admin} does in cluster mode: the same fields, status codes and
 * bodies ({@code NodeResource}, {@code TopologyResource}, {@code CurrentTopology.offer}). It keeps the topology of
 * the highest epoch it was given and reports the slots it owns under it as {@code [{start, end}]}, without
 * {@code inSync} or {@code lastRound}, as today's data plane does, unless a test sets which owned slots are in sync
 * (to play a node with anti-entropy). It reports ready only once it holds a topology, as a cluster-mode node does.
 */
public final class FakeDataPlane implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String nodeId;
  private final Supplier<String> token;
  private final HttpServer server;
  private final List<Topology> received = new CopyOnWriteArrayList<>();
  private volatile Topology installed;
  private volatile IntPredicate inSync;
  private volatile boolean failing;
  private volatile Runnable beforeNextPut;
  private volatile boolean clusterMode = true;

  public FakeDataPlane(String nodeId, Supplier<String> token) {
    this.nodeId = nodeId;
    this.token = token;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext("/v1/node", this::node);
    server.createContext("/v1/topology", this::topology);
    server.start();
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public String nodeId() {
    return nodeId;
  }

  public Topology installed() {
    return installed;
  }

  public List<Topology> received() {
    return received;
  }

  /** Plays a node that holds a topology installed earlier (e.g. before an operator restart). */
  public void install(Topology topology) {
    installed = topology;
  }

  /** Reports inSync (and lastRound) per owned slot from now on, as a node with anti-entropy would. */
  public void inSync(IntPredicate slots) {
    inSync = slots;
  }

  /** Plays a node whose readiness check fails (e.g. its store is unhealthy): it reports not ready. */
  public void failing(boolean value) {
    failing = value;
  }

  /** Plays a node started without hyperkv.cluster.enabled: it refuses every topology with 409 {"error"}. */
  public void clusterMode(boolean value) {
    clusterMode = value;
  }

  /** Runs once, before the next PUT /v1/topology is judged: plays a concurrent writer. */
  public void beforeNextPut(Runnable action) {
    beforeNextPut = action;
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.equals("Bearer " + token.get())) {
      exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"hyperkv-admin\"");
      reply(exchange, 401, Map.of("error", header == null
          ? "missing header \"Authorization: Bearer <hyperkv.admin.token>\""
          : "the bearer token is not this node's hyperkv.admin.token"));
      return false;
    }
    return true;
  }

  private void node(HttpExchange exchange) throws IOException {
    if (!authorized(exchange)) {
      return;
    }
    if (!"GET".equals(exchange.getRequestMethod())) {
      reply(exchange, 405, Map.of("error", "method not allowed"));
      return;
    }
    Topology current = installed;
    IntPredicate sync = inSync;
    var slots = new ArrayList<Map<String, Object>>();
    if (current != null) {
      for (int[] range : current.rangesOf(nodeId)) {
        if (sync == null) {
          slots.add(Map.of("start", range[0], "end", range[1]));
          continue;
        }
        // Split owned ranges where the in-sync state changes, as a node with anti-entropy would report them.
        int start = range[0];
        for (int slot = range[0]; slot <= range[1]; slot++) {
          if (slot == range[1] || sync.test(slot) != sync.test(slot + 1)) {
            slots.add(Map.of("start", start, "end", slot, "inSync", sync.test(slot), "lastRound", "2026-01-01T00:00:00Z"));
            start = slot + 1;
          }
        }
      }
    }
    var body = new LinkedHashMap<String, Object>();
    body.put("nodeId", nodeId);
    body.put("version", "test");
    body.put("clusterEnabled", clusterMode);
    body.put("epoch", current == null ? 0 : current.epoch());
    body.put("ready", current != null && !failing);
    body.put("draining", false);
    body.put("keys", 0);
    body.put("diskBytes", 0);
    body.put("memoryBytes", 0);
    body.put("slots", slots);
    reply(exchange, 200, body);
  }

  private void topology(HttpExchange exchange) throws IOException {
    if (!authorized(exchange)) {
      return;
    }
    if (!"PUT".equals(exchange.getRequestMethod())) {
      reply(exchange, 405, Map.of("error", "method not allowed"));
      return;
    }
    if (!clusterMode) {
      reply(exchange, 409, Map.of("error", "this node is not in cluster mode (hyperkv.cluster.enabled=false):"
          + " it takes no topology"));
      return;
    }
    Topology proposed;
    try {
      proposed = JSON.readValue(exchange.getRequestBody(), Topology.class);
    } catch (IOException e) {
      reply(exchange, 400, Map.of("error", "bad topology: " + e.getMessage()));
      return;
    }
    received.add(proposed);
    Runnable before = beforeNextPut;
    beforeNextPut = null;
    if (before != null) {
      before.run();
    }
    // CurrentTopology.offer: higher epoch installs; lower is stale; same epoch is already-in-force or a conflict.
    String outcome;
    long inForce;
    synchronized (this) {
      if (installed == null || proposed.epoch() > installed.epoch()) {
        installed = proposed;
        outcome = "installed";
      } else if (proposed.epoch() < installed.epoch()) {
        outcome = "stale";
      } else {
        outcome = proposed.samePlacement(installed) ? "already-in-force" : "conflict";
      }
      inForce = installed.epoch();
    }
    var answer = new LinkedHashMap<String, Object>();
    answer.put("epoch", inForce);
    answer.put("outcome", outcome);
    if (outcome.equals("conflict")) {
      answer.put("error", "epoch " + inForce + " is in force with different content; send the new document"
          + " with a higher epoch");
      reply(exchange, 409, answer);
      return;
    }
    reply(exchange, 200, answer);
  }

  private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
