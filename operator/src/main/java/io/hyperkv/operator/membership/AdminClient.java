package io.hyperkv.operator.membership;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Client of one data-plane node's admin API (see the package documentation for the wire contract). Every call is
 * bounded by the timeout; errors come back as {@link AdminApiException} naming the node and what went wrong.
 */
public final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final HttpClient http;
  private final Duration timeout;

  public AdminClient(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** A node id as the data plane prints it (Redis's shape): 40 lowercase hexadecimal digits. */
  private static final Pattern NODE_ID = Pattern.compile("[0-9a-f]{40}");

  /**
   * {@code GET /v1/node}. The node id must be 40 lowercase hex digits: topology documents carry it as is and the data
   * plane refuses any other shape, so a node answering otherwise is refused here, where the message can say which.
   */
  public NodeReport node(URI base, String token) throws AdminApiException {
    var request = request(base, "/v1/node", token).GET().build();
    String body = send(request);
    NodeReport report;
    try {
      report = JSON.readValue(body, NodeReport.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new AdminApiException(base + "/v1/node answered outside the contract: " + e.getMessage(), e);
    }
    if (!NODE_ID.matcher(report.nodeId()).matches()) {
      throw new AdminApiException(base + "/v1/node answered outside the contract: nodeId \"" + report.nodeId()
          + "\" is not 40 lowercase hexadecimal digits");
    }
    return report;
  }

  /**
   * {@code PUT /v1/topology}: the node's answer. A 409 carrying {@code "outcome": "conflict"} comes back as a
   * {@link TopologyAnswer.Outcome#CONFLICT} answer; a 409 without it (a node not in cluster mode), any other error
   * status or a body outside the contract is an {@link AdminApiException}.
   */
  public TopologyAnswer installTopology(URI base, String token, Topology topology) throws AdminApiException {
    String body;
    try {
      body = JSON.writeValueAsString(topology);
    } catch (IOException e) {
      throw new IllegalStateException("a topology always serialises", e);
    }
    var request = request(base, "/v1/topology", token)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response = exchange(request);
    String where = "PUT " + request.uri();
    JsonNode answer = null;
    try {
      answer = JSON.readTree(response.body());
    } catch (IOException e) {
      // Not JSON: judged below by its status.
    }
    JsonNode outcomeJson = answer == null ? null : answer.get("outcome");
    TopologyAnswer.Outcome outcome = outcomeJson != null && outcomeJson.isTextual()
        ? TopologyAnswer.Outcome.fromWire(outcomeJson.textValue()) : null;
    boolean conflict = response.statusCode() == 409 && outcome == TopologyAnswer.Outcome.CONFLICT;
    if (response.statusCode() / 100 != 2 && !conflict) {
      throw new AdminApiException(where + " answered HTTP " + response.statusCode() + ": " + response.body());
    }
    JsonNode epoch = answer == null ? null : answer.get("epoch");
    if (epoch == null || !epoch.canConvertToLong() || outcome == null) {
      throw new AdminApiException(where + " answered outside the contract (an epoch and a known outcome expected): "
          + response.body());
    }
    return new TopologyAnswer(epoch.asLong(), outcome);
  }

  private HttpRequest.Builder request(URI base, String path, String token) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(timeout)
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json");
  }

  private String send(HttpRequest request) throws AdminApiException {
    HttpResponse<String> response = exchange(request);
    if (response.statusCode() / 100 != 2) {
      throw new AdminApiException(request.method() + " " + request.uri() + " answered HTTP " + response.statusCode()
          + ": " + response.body());
    }
    return response.body();
  }

  /** Sends the request; a transport failure or a refused token is an exception, any other status is returned. */
  private HttpResponse<String> exchange(HttpRequest request) throws AdminApiException {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AdminApiException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminApiException(request.method() + " " + request.uri() + " interrupted", e);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new AdminApiException(request.method() + " " + request.uri() + " refused the admin token (HTTP "
          + response.statusCode() + ")");
    }
    return response;
  }
}
