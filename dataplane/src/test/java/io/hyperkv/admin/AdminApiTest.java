package io.hyperkv.admin;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The admin API of a node in cluster mode with a token and a configured node id, over real HTTP: 401 without the
 * token, 400 for bad bodies, 409 for conflicts, 200/201 otherwise. Tests share the node, so each one works relative to
 * the epoch and keys it finds.
 */
@QuarkusTest
@TestProfile(AdminApiTest.ClusterProfile.class)
class AdminApiTest {

    static final String TOKEN = "admin-test-token-7d40e2b1";
    static final NodeId SELF = NodeId.parse("000000000000000000000000000000000000a1b2");

    public static class ClusterProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hyperkv.admin.token", TOKEN,
                    "hyperkv.cluster.enabled", "true",
                    "hyperkv.cluster.secret", "cluster-secret-for-admin-tests",
                    "hyperkv.cluster.node-id", SELF.hex(),
                    "hyperkv.cluster.replication-factor", "1",
                    // the installed topologies' co-owners never answer: writes must not wait for them
                    "hyperkv.cluster.write-consistency", "one",
                    "hyperkv.data-dir", "target/test-data/admin-" + UUID.randomUUID());
        }
    }

    @Inject
    RespListener listener;

    private static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    private static long epoch() {
        return admin().get("/v1/node").then().statusCode(200).extract().jsonPath().getLong("epoch");
    }

    /**
     * Three nodes, this one included, N=2, placed by the standard placement. The other two are on loopback at bus
     * ports 1 and 2, where nothing listens: this node's replication bus dials every member, and a test must reach
     * no address but 127.0.0.1.
     */
    private static Topology topology(long epoch, long otherSeed) {
        List<ClusterNode> nodes = List.of(
                new ClusterNode(SELF, "127.0.0.1", 6379, 16379, NodeState.UP),
                new ClusterNode(new NodeId(otherSeed), "127.0.0.1", 6380, 1, NodeState.UP),
                new ClusterNode(new NodeId(otherSeed + 1), "127.0.0.1", 6381, 2, NodeState.UP));
        return Placement.standard().topology(epoch, nodes, 2);
    }

    private static Response put(String body) {
        return admin().contentType("application/json").body(body).put("/v1/topology");
    }

    @Test
    void everyV1CallWithoutTheRightBearerTokenIs401WithAReason() {
        for (String path : List.of("/v1/node", "/v1/snapshots")) {
            given().get(path).then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                    .body("error", containsString("missing header"));
            given().header("Authorization", "Bearer wrong").get(path).then().statusCode(401)
                    .body("error", containsString("not this node's hyperkv.admin.token"));
            given().header("Authorization", "Basic " + TOKEN).get(path).then().statusCode(401)
                    .body("error", containsString("Bearer scheme"));
        }
        given().contentType("application/json").body("{}").put("/v1/topology").then().statusCode(401);
        given().post("/v1/snapshots").then().statusCode(401);
        given().post("/v1/drain").then().statusCode(401);
        // Health and metrics stay open to the kubelet and Prometheus.
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void nodeReportsItsConfiguredIdSizeAndReadinessAndNothingItHasNoSourceFor() {
        JsonPath before = admin().get("/v1/node").then().statusCode(200).contentType("application/json")
                .extract().jsonPath();
        try (Jedis jedis = new Jedis("127.0.0.1", listener.port())) {
            jedis.set("admin:key:" + UUID.randomUUID(), "v");
        }
        JsonPath node = admin().get("/v1/node").then().statusCode(200).extract().jsonPath();
        assertThat(node.getString("nodeId")).isEqualTo("000000000000000000000000000000000000a1b2");
        assertThat(node.getString("version")).isNotBlank();
        assertThat(node.getBoolean("clusterEnabled")).isTrue();
        assertThat(node.getBoolean("draining")).isFalse();
        assertThat(node.getLong("keys")).isEqualTo(before.getLong("keys") + 1);
        assertThat(node.getLong("diskBytes")).isPositive();
        assertThat(node.getLong("memoryBytes")).isPositive();
        // Ready in cluster mode means a topology is known; the probe and the report agree.
        boolean probeUp = given().get("/q/health/ready").statusCode() == 200;
        assertThat(node.getBoolean("ready")).isEqualTo(probeUp).isEqualTo(node.getLong("epoch") > 0);
        Map<String, Object> fields = node.getMap("");
        assertThat(fields).doesNotContainKeys("hintsPending", "peers");
        assertThat(node.getMap("antiEntropy")).containsKeys("rounds", "keysCompared", "keysRepaired",
                "slotsOutOfSync");
        assertThat(node.getList("slots", Map.class)).allSatisfy(s -> assertThat(s).containsKeys("start", "end",
                "inSync"));
    }

    @Test
    void aHigherEpochIsInstalledAndReportedAndOffersFollowCurrentTopologysRules() {
        long e = epoch() + 1;
        Topology t = topology(e, 0x5000);
        put(TopologyCodec.encodeToString(t)).then().statusCode(200).body("epoch", equalTo((int) e))
                .body("outcome", equalTo("installed"));

        JsonPath node = admin().get("/v1/node").then().statusCode(200).extract().jsonPath();
        assertThat(node.getLong("epoch")).isEqualTo(e);
        assertThat(node.getBoolean("ready")).isTrue();
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'hyperkv' }.data.topology-epoch", equalTo((int) e));
        List<SlotSpan> owned = t.spansOwnedBy(SELF);
        assertThat(owned).isNotEmpty();
        assertThat(node.getList("slots", Map.class)).hasSize(owned.size());
        for (int i = 0; i < owned.size(); i++) {
            assertThat(node.getInt("slots[" + i + "].start")).isEqualTo(owned.get(i).first());
            assertThat(node.getInt("slots[" + i + "].end")).isEqualTo(owned.get(i).last());
        }

        put(TopologyCodec.encodeToString(t)).then().statusCode(200).body("outcome", equalTo("already-in-force"))
                .body("epoch", equalTo((int) e));
        put(TopologyCodec.encodeToString(topology(e, 0x6000))).then().statusCode(409)
                .body("outcome", equalTo("conflict")).body("epoch", equalTo((int) e))
                .body("error", containsString("higher epoch"));
        put(TopologyCodec.encodeToString(topology(e - 1 < 1 ? 1 : e - 1, 0x7000))).then().statusCode(e > 1 ? 200 : 409)
                .body("epoch", equalTo((int) e));
        assertThat(epoch()).isEqualTo(e);
    }

    @Test
    void aStaleEpochIsAnsweredWithTheEpochInForce() {
        long e = epoch() + 2;
        put(TopologyCodec.encodeToString(topology(e, 0x8000))).then().statusCode(200)
                .body("outcome", equalTo("installed"));
        put(TopologyCodec.encodeToString(topology(e - 1, 0x8000))).then().statusCode(200)
                .body("outcome", equalTo("stale")).body("epoch", equalTo((int) e));
    }

    @Test
    void aBadTopologyBodyIs400WithWhatIsWrong() {
        long before = epoch();
        put("{\"epoch\": 5, ").then().statusCode(400).body("error", containsString("invalid topology: not valid JSON"))
                .body("error", containsString("line 1"));
        put("").then().statusCode(400).body("error", equalTo("invalid topology: the document is empty"));
        put("{\"epoch\": 5, \"replicationFactor\": 1, \"nodes\": []}").then().statusCode(400)
                .body("error", equalTo("invalid topology: missing field slots"));
        put("{\"epoch\": 5, \"replicationFactor\": 1, \"nodes\": [{\"id\": \"zz\", \"host\": \"h\", \"port\": 1,"
                + " \"busPort\": 2}], \"slots\": []}").then().statusCode(400)
                .body("error", containsString("nodes[0].id"));
        String uncovered = TopologyCodec.encodeToString(topology(before + 1, 0x9000))
                .replaceFirst("\"start\":0,", "\"start\":1,");
        put(uncovered).then().statusCode(400).body("error", containsString("slots 0 have no owners"));
        assertThat(epoch()).isEqualTo(before);
    }

    @Test
    void snapshotsAreMadeNamedListedAndRefusedWhenTheIdIsBadOrTaken() {
        try (Jedis jedis = new Jedis("127.0.0.1", listener.port())) {
            jedis.set("admin:snap", "x");
        }
        String generated = admin().post("/v1/snapshots").then().statusCode(201).extract().jsonPath().getString("id");
        assertThat(generated).matches("snap-\\d{8}T\\d{9}Z(-\\d+)?");
        String named = "nightly-" + UUID.randomUUID();
        admin().contentType("application/json").body("{\"id\": \"" + named + "\"}").post("/v1/snapshots").then()
                .statusCode(201).body("id", equalTo(named)).body("createdAt", containsString("T"));
        admin().contentType("application/json").body("{\"id\": \"" + named + "\"}").post("/v1/snapshots").then()
                .statusCode(409).body("error", equalTo("snapshot \"" + named + "\" exists"));
        admin().body("{\"id\": \"../escape\"}").post("/v1/snapshots").then().statusCode(400)
                .body("error", containsString("invalid snapshot id"));
        admin().body("{\"id\": \".hidden\"}").post("/v1/snapshots").then().statusCode(400);
        admin().body("{\"id\": \"save-1\"}").post("/v1/snapshots").then().statusCode(400)
                .body("error", containsString("SAVE"));
        admin().body("{\"id\": 7}").post("/v1/snapshots").then().statusCode(400).body("error", equalTo("id must be a string"));
        admin().body("not json").post("/v1/snapshots").then().statusCode(400).body("error", containsString("not valid JSON"));

        JsonPath list = admin().get("/v1/snapshots").then().statusCode(200).extract().jsonPath();
        List<String> ids = list.getList("snapshots.id");
        assertThat(ids).contains(generated, named).doesNotContain("../escape", ".hidden");
        assertThat(list.getLong("snapshots.find { it.id == '" + named + "' }.bytes")).isPositive();
    }

    @Test
    void drainRefusesABadTimeoutBeforeDoingAnything() {
        admin().post("/v1/drain?timeoutSeconds=soon").then().statusCode(400)
                .body("error", containsString("timeoutSeconds must be an integer in 1..3600"));
        admin().post("/v1/drain?timeoutSeconds=0").then().statusCode(400);
        admin().get("/v1/node").then().statusCode(200).body("draining", equalTo(false));
    }

    /**
     * The node's co-owners (bus ports 1 and 2) never answer, so a round compares nothing: its slots stay out of sync,
     * as a node that cannot reach its co-owners must report them.
     */
    @Test
    void repairRunsARoundAndReportsItAndTheSlotsItCouldNotCompareStayOutOfSync() {
        given().post("/v1/repair").then().statusCode(401);
        admin().post("/v1/repair?waitSeconds=soon").then().statusCode(400)
                .body("error", containsString("waitSeconds must be an integer in 0..600"));
        long e = epoch() + 1;
        Topology t = topology(e, 0x9000);
        put(TopologyCodec.encodeToString(t)).then().statusCode(200).body("outcome", equalTo("installed"));
        int owned = t.spansOwnedBy(SELF).stream().mapToInt(SlotSpan::size).sum();

        JsonPath round = admin().post("/v1/repair?waitSeconds=60").then().statusCode(200).extract().jsonPath();
        assertThat(round.getLong("round")).isPositive();
        assertThat(round.getLong("epoch")).isEqualTo(e);
        assertThat(round.getList("peers")).isEmpty();
        assertThat(round.getInt("slotsCompared")).isZero();
        assertThat(round.getInt("outOfSync")).isEqualTo(owned);
        assertThat(round.getString("started")).isNotBlank();

        JsonPath node = admin().get("/v1/node").then().statusCode(200).extract().jsonPath();
        assertThat(node.getLong("antiEntropy.rounds")).isGreaterThanOrEqualTo(round.getLong("round"));
        assertThat(node.getInt("antiEntropy.slotsOutOfSync")).isEqualTo(owned);
        assertThat(node.getList("slots.inSync", Boolean.class)).containsOnly(false);
        admin().post("/v1/repair").then().statusCode(anyOf(equalTo(200), equalTo(202)))
                .body("round", greaterThan(round.getInt("round")));
    }
}
