package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Replies of a burst stay in request order when some of them are held: encoded replies before a held one go first,
 * those after it wait, and each held reply is encoded with the protocol in force when its command ran.
 */
class HeldRepliesTest {

    private static String text(BufferOutput out) {
        return out.take().toString(StandardCharsets.UTF_8);
    }

    @Test
    void heldRepliesComeOutInRequestOrderWhateverOrderTheyCompleteIn() {
        HeldReplies held = new HeldReplies();
        BufferOutput out = new BufferOutput();
        RespEncoder.encode(Reply.simple("first"), 2, out);
        CompletableFuture<Reply> second = new CompletableFuture<>();
        held.hold(out, second, 2);
        RespEncoder.encode(Reply.integer(3), 2, out);
        CompletableFuture<Reply> fourth = new CompletableFuture<>();
        held.hold(out, fourth, 2);
        RespEncoder.encode(Reply.bulk("fifth"), 2, out);

        assertThat(held.ready()).isNotDone();
        fourth.complete(Reply.integer(4));
        assertThat(held.ready()).isNotDone();
        second.complete(Reply.OK);
        assertThat(held.ready()).isDone();

        BufferOutput released = held.release(out);
        assertThat(text(released)).isEqualTo("+first\r\n+OK\r\n:3\r\n:4\r\n$5\r\nfifth\r\n");
        assertThat(held.isEmpty()).isTrue();
        assertThat(out.size()).isZero();
    }

    @Test
    void aHeldReplyIsEncodedWithTheProtocolOfItsCommand() {
        HeldReplies held = new HeldReplies();
        BufferOutput out = new BufferOutput();
        held.hold(out, CompletableFuture.completedFuture(Reply.NULL), 2);
        held.hold(out, CompletableFuture.completedFuture(Reply.NULL), 3);

        assertThat(text(held.release(out))).isEqualTo("$-1\r\n_\r\n");
    }

    @Test
    void aFailedHeldReplyBecomesAnErrorAndReadinessStillCompletesNormally() {
        HeldReplies held = new HeldReplies();
        BufferOutput out = new BufferOutput();
        held.hold(out, CompletableFuture.failedFuture(new IllegalStateException("owner gone")), 2);

        assertThat(held.ready()).isCompletedWithValue(null);
        assertThat(text(held.release(out))).isEqualTo("-ERR owner gone\r\n");
    }

    @Test
    void nothingHeldMeansNothingToRelease() {
        HeldReplies held = new HeldReplies();
        assertThat(held.isEmpty()).isTrue();
        assertThat(held.ready()).isDone();
        BufferOutput out = new BufferOutput();
        RespEncoder.encode(Reply.array(List.of(Reply.ONE)), 2, out);
        assertThat(text(held.release(out))).isEqualTo("*1\r\n:1\r\n");
    }
}
