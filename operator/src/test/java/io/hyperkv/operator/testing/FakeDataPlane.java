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
 * A stand-in for one data-plane node's admin API on 127.0.0.1, implementing the contract of
 * {@code io.hyperkv.operator.membership} (GET /v1/node, PUT /v1/topology, bearer token) and nothing else. It keeps
 * the topology of the highest epoch it was given and reports the slots it owns under it; which owned slots count
 * as in sync is settable, to play a node still filling a slot.
 */
public final class FakeDataPlane implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final String nodeId;
  private final Supplier<String> token;
  private final HttpServer server;
  private final List<Topology> received = new CopyOnWriteArrayList<>();
  private volatile Topology installed;
  private volatile IntPredicate inSync = slot -> true;

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

  public void inSync(IntPredicate slots) {
    inSync = slots;
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.equals("Bearer " + token.get())) {
      reply(exchange, 401, Map.of("error", "unauthorized"));
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
    var slots = new ArrayList<Map<String, Object>>();
    if (current != null) {
      for (int[] range : current.rangesOf(nodeId)) {
        // Split owned ranges where the in-sync state changes, as a real node reports them.
        int start = range[0];
        for (int slot = range[0]; slot <= range[1]; slot++) {
          if (slot == range[1] || inSync.test(slot) != inSync.test(slot + 1)) {
            slots.add(Map.of("start", start, "end", slot, "inSync", inSync.test(slot), "lastRound", "2026-01-01T00:00:00Z"));
            start = slot + 1;
          }
        }
      }
    }
    var body = new LinkedHashMap<String, Object>();
    body.put("nodeId", nodeId);
    body.put("version", "test");
    body.put("epoch", current == null ? 0 : current.epoch());
    body.put("ready", true);
    body.put("keys", 0);
    body.put("diskBytes", 0);
    body.put("memoryBytes", 0);
    body.put("hintsPending", Map.of());
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
    Topology proposed;
    try {
      proposed = JSON.readValue(exchange.getRequestBody(), Topology.class);
    } catch (IOException e) {
      reply(exchange, 400, Map.of("error", "bad topology: " + e.getMessage()));
      return;
    }
    received.add(proposed);
    synchronized (this) {
      if (installed == null || proposed.epoch() > installed.epoch()) {
        installed = proposed;
      }
    }
    reply(exchange, 200, Map.of("epoch", installed.epoch()));
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
