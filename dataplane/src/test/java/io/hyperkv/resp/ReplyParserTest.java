package io.hyperkv.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reply parser reads back what {@link RespEncoder} writes, in RESP2 and RESP3, whatever the chunking of the
 * bytes, and refuses a byte that cannot start a reply.
 */
class ReplyParserTest {

    private static final List<Reply> SAMPLES = List.of(
            Reply.OK, Reply.error("WRONGTYPE Operation against a key holding the wrong kind of value"),
            Reply.integer(-42), Reply.bulk("hello\r\nworld"), Reply.bulk(new byte[0]), Reply.NULL,
            Reply.array(List.of(Reply.bulk("a"), Reply.NULL, Reply.integer(7), Reply.array(List.of()))),
            new Reply.MapReply(List.of(Reply.bulk("k"), Reply.bulk("v"))),
            new Reply.SetReply(List.of(Reply.bulk("m"))), new Reply.DoubleReply(1.5),
            new Reply.DoubleReply(Double.NEGATIVE_INFINITY), new Reply.BooleanReply(true),
            new Reply.BigNumber("123456789012345678901234567890"),
            new Reply.Verbatim("txt", "some text".getBytes(StandardCharsets.UTF_8)));

    private static byte[] encode(List<Reply> replies, int protocol) {
        ByteArrayRespOutput out = new ByteArrayRespOutput(256);
        for (Reply r : replies) {
            RespEncoder.encode(r, protocol, out);
        }
        return out.toByteArray();
    }

    private static List<Reply> parseInChunks(byte[] bytes, int chunk) throws RespProtocolException {
        ReplyParser parser = new ReplyParser();
        List<Reply> got = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += chunk) {
            parser.feed(bytes, off, Math.min(chunk, bytes.length - off), got::add);
        }
        return got;
    }

    @Test
    void resp3RepliesRoundTripWhateverTheChunking() throws Exception {
        byte[] bytes = encode(SAMPLES, 3);
        for (int chunk : new int[] {1, 2, 3, 7, bytes.length}) {
            List<Reply> got = parseInChunks(bytes, chunk);
            assertThat(encode(got, 3)).as("chunks of " + chunk).isEqualTo(bytes);
            assertThat(got).hasSize(SAMPLES.size());
        }
    }

    @Test
    void resp2RepliesRoundTripIncludingTheNullArray() throws Exception {
        List<Reply> samples = new ArrayList<>(SAMPLES);
        samples.add(Reply.NULL_ARRAY);
        byte[] bytes = encode(samples, 2);
        List<Reply> got = parseInChunks(bytes, 5);
        assertThat(encode(got, 2)).isEqualTo(bytes);
        assertThat(got.get(got.size() - 1)).isEqualTo(Reply.NULL_ARRAY);
    }

    @Test
    void anAttributeIsSkipped() throws Exception {
        byte[] bytes = "|1\r\n+ttl\r\n:3\r\n:5\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parseInChunks(bytes, 4)).containsExactly(Reply.integer(5));
    }

    @Test
    void aByteThatCannotStartAReplyIsAProtocolError() {
        ReplyParser parser = new ReplyParser();
        byte[] bytes = "?what\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> parser.feed(bytes, 0, bytes.length, r -> { }))
                .isInstanceOf(RespProtocolException.class).hasMessageContaining("'?'");
    }
}
