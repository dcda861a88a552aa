package io.hyperkv.admin;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A single node started without {@code hyperkv.admin.token} (the default test profile): the admin API serves loopback
 * clients, which is where the test runs; a topology is refused because the node is not in cluster mode.
 */
@QuarkusTest
class AdminApiWithoutTokenTest {

    @Test
    void aLoopbackClientIsServedWithoutAToken() {
        given().get("/v1/node").then().statusCode(200)
                .body("nodeId", matchesPattern("0{24}[0-9a-f]{16}"))
                .body("clusterEnabled", equalTo(false))
                .body("epoch", equalTo(0))
                .body("ready", equalTo(true))
                .body("slots", hasSize(0));
    }

    @Test
    void aNodeOutsideClusterModeTakesNoTopology() {
        given().contentType("application/json").body("{}").put("/v1/topology").then().statusCode(409)
                .body("error", containsString("not in cluster mode"));
    }
}
