package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.resp.ByteArrayRespOutput;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the parts of a command split per slot are put back together. */
class RouterTest {

    private static String resp(Reply r) {
        ByteArrayRespOutput out = new ByteArrayRespOutput(64);
        RespEncoder.encode(r, 2, out);
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    @Test
    void mgetValuesGoBackToTheirKeysPositions() {
        // keys k0..k4; part 0 answered k0, k2, k4; part 1 answered k1, k3
        List<List<Integer>> groups = List.of(List.of(0, 2, 4), List.of(1, 3));
        Reply combined = Router.mget(List.of(
                Reply.array(List.of(Reply.bulk("v0"), Reply.NULL, Reply.bulk("v4"))),
                Reply.array(List.of(Reply.bulk("v1"), Reply.bulk("v3")))), groups, 5);

        assertThat(resp(combined)).isEqualTo("*5\r\n$2\r\nv0\r\n$2\r\nv1\r\n$-1\r\n$2\r\nv3\r\n$2\r\nv4\r\n");
    }

    @Test
    void anMgetPartThatFailedFailsTheWhole() {
        Reply err = Reply.error("ERR forwarding to node x failed: no reply");
        assertThat(Router.mget(List.of(Reply.array(List.of(Reply.NULL)), err), List.of(List.of(0), List.of(1)), 2))
                .isEqualTo(err);
    }

    @Test
    void countsAddUpAndTheFirstErrorWins() {
        assertThat(Router.sum(List.of(Reply.integer(2), Reply.integer(0), Reply.integer(1))))
                .isEqualTo(Reply.integer(3));
        Reply err = Reply.error("CLUSTERDOWN no owner of hash slot 7 is reachable from this node");
        assertThat(Router.sum(List.of(Reply.integer(2), err))).isEqualTo(err);
    }

    @Test
    void msetIsOkOnlyWhenEveryPartIs() {
        assertThat(Router.allOk(List.of(Reply.OK, Reply.OK))).isEqualTo(Reply.OK);
        Reply err = Reply.error("ERR forwarding failed");
        assertThat(Router.allOk(List.of(Reply.OK, err))).isEqualTo(err);
    }
}
