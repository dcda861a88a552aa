package io.hyperkv.resp;

import static io.hyperkv.resp.Commands.bytes;
import static io.hyperkv.resp.Commands.cmd;
import static io.hyperkv.resp.Commands.multibulk;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespDecoderTest {

    private final RespDecoder decoder = new RespDecoder(RespLimits.defaults());
    private final Commands sink = new Commands();

    private List<List<String>> decode(String wire) throws RespProtocolException {
        decoder.decode(bytes(wire), sink);
        return sink.received;
    }

    private void assertProtocolError(String wire, String message) {
        assertThatThrownBy(() -> decode(wire))
                .isInstanceOf(RespProtocolException.class)
                .hasMessage(message);
    }

    @Test
    void multibulkCommandIsDecoded() throws Exception {
        assertThat(decode("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n")).containsExactly(cmd("SET", "k", "value"));
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void bulkMayHoldAnyByteIncludingCrlfAndNul() throws Exception {
        assertThat(decode("*2\r\n$4\r\nECHO\r\n$6\r\na\r\n\0\"b\r\n")).containsExactly(cmd("ECHO", "a\r\n\0\"b"));
    }

    @Test
    void emptyBulkIsAnEmptyArgument() throws Exception {
        assertThat(decode("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n")).containsExactly(cmd("ECHO", ""));
    }

    @Test
    void pipelinedCommandsInOneBufferAllArriveInOrder() throws Exception {
        assertThat(decode("*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"))
                .containsExactly(cmd("PING"), cmd("PING"), cmd("GET", "k"));
    }

    @Test
    void hundredThousandPipelinedCommandsInOneBufferAreAllDecoded() throws Exception {
        List<byte[]> parts = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            parts.add(multibulk(cmd("SET", "key:" + i, "v" + i)));
        }
        decoder.decode(Commands.concat(parts), sink);
        assertThat(sink.received).hasSize(100_000);
        assertThat(sink.received.get(0)).isEqualTo(cmd("SET", "key:0", "v0"));
        assertThat(sink.received.get(99_999)).isEqualTo(cmd("SET", "key:99999", "v99999"));
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void truncatedFramesWaitForTheRestWithoutError() throws Exception {
        byte[] wire = multibulk(cmd("SET", "key", "a value"));
        for (int cut = 1; cut < wire.length; cut++) {
            RespDecoder d = new RespDecoder(RespLimits.defaults());
            Commands s = new Commands();
            d.decode(wire, 0, cut, s);
            assertThat(s.received).as("after %d of %d bytes", cut, wire.length).isEmpty();
            assertThat(d.bufferedBytes()).as("held after %d bytes", cut).isLessThanOrEqualTo(cut);
            d.decode(wire, cut, wire.length - cut, s);
            assertThat(s.received).containsExactly(cmd("SET", "key", "a value"));
            assertThat(d.bufferedBytes()).isZero();
        }
    }

    @Test
    void inlineCommandsSplitOnBlanksAndEndAtLfWithOptionalCr() throws Exception {
        assertThat(decode("SET k v\r\nGET   k\nPING\r\n")).containsExactly(cmd("SET", "k", "v"), cmd("GET", "k"), cmd("PING"));
    }

    @Test
    void inlineCommandsHonourRedisQuoting() throws Exception {
        assertThat(decode("SET k \"a b\\x41\\n\" 'it\\'s' x\"y z\"\r\n"))
                .containsExactly(cmd("SET", "k", "a bA\n", "it's", "xy z"));
    }

    @Test
    void emptyLinesAndEmptyMultibulksAreIgnored() throws Exception {
        assertThat(decode("\r\n\n   \r\n*0\r\n*-1\r\n*-10\r\nPING\r\n")).containsExactly(cmd("PING"));
    }

    @Test
    void unbalancedQuotesAreRefused() {
        assertProtocolError("SET k \"abc\r\n", "Protocol error: unbalanced quotes in request");
    }

    @Test
    void closingQuoteFollowedByTextIsRefused() {
        assertProtocolError("ECHO \"ab\"c\r\n", "Protocol error: unbalanced quotes in request");
    }

    @Test
    void multibulkCountAboveIntMaxIsInvalid() {
        assertProtocolError("*2147483648\r\n", "Protocol error: invalid multibulk length");
    }

    @Test
    void multibulkCountAtIntMaxIsAcceptedWithoutAllocatingIt() throws Exception {
        long before = allocatedBytes();
        decode("*2147483647\r\n$3\r\nSET\r\n");
        assertThat(allocatedBytes() - before).isLessThan(1024 * 1024);
        assertThat(sink.received).isEmpty();
        assertThat(decoder.retainedCapacity()).isLessThan(64 * 1024);
    }

    @Test
    void nonNumericMultibulkCountIsInvalid() {
        assertProtocolError("*abc\r\n", "Protocol error: invalid multibulk length");
    }

    @Test
    void multibulkCountFollowsRedisIntegerSyntax() {
        for (String bad : List.of("*\r\n", "*-\r\n", "*+1\r\n", "*01\r\n", "*-0\r\n", "* 1\r\n", "*1 \r\n",
                "*99999999999999999999\r\n", "*-9223372036854775809\r\n")) {
            RespDecoder d = new RespDecoder(RespLimits.defaults());
            assertThatThrownBy(() -> d.decode(bytes(bad), sink)).as(bad)
                    .hasMessage("Protocol error: invalid multibulk length");
        }
    }

    @Test
    void negativeBulkLengthInsideMultibulkIsInvalid() {
        assertProtocolError("*1\r\n$-2\r\n", "Protocol error: invalid bulk length");
        RespDecoder d = new RespDecoder(RespLimits.defaults());
        assertThatThrownBy(() -> d.decode(bytes("*1\r\n$-1\r\n"), sink)).hasMessage("Protocol error: invalid bulk length");
    }

    @Test
    void bulkLongerThanProtoMaxBulkLenIsInvalid() {
        assertProtocolError("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1073741824\r\n", "Protocol error: invalid bulk length");
        assertThat(sink.received).isEmpty();
    }

    @Test
    void bulkAtProtoMaxBulkLenIsAccepted() throws Exception {
        RespDecoder d = new RespDecoder(RespLimits.defaults().withMaxBulkLen(8));
        d.decode(bytes("*1\r\n$8\r\n12345678\r\n"), sink);
        assertThat(sink.received).containsExactly(cmd("12345678"));
        assertThatThrownBy(() -> d.decode(bytes("*1\r\n$9\r\n"), sink)).hasMessage("Protocol error: invalid bulk length");
    }

    @Test
    void declaredHugeBulkCostsOnlyTheBytesReceived() throws Exception {
        long before = allocatedBytes();
        decode("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\n0123456789");
        long allocated = allocatedBytes() - before;
        assertThat(allocated).as("bytes allocated for a 500 MB declaration with 10 bytes sent").isLessThan(64 * 1024);
        assertThat(decoder.bufferedBytes()).isEqualTo(3 + 1 + 10);
        assertThat(decoder.retainedCapacity()).isLessThan(64 * 1024);
    }

    @Test
    void bulkArrivingByteByByteIsCopiedLinearlyNotQuadratically() throws Exception {
        int size = 1 << 20;
        StringBuilder sb = new StringBuilder("*2\r\n$4\r\nECHO\r\n$" + size + "\r\n");
        sb.append("x".repeat(size)).append("\r\n");
        byte[] wire = bytes(sb.toString());
        long before = allocatedBytes();
        for (int i = 0; i < wire.length; i++) {
            decoder.decode(wire, i, 1, sink);
        }
        long allocated = allocatedBytes() - before;
        assertThat(sink.received).hasSize(1);
        assertThat(sink.received.get(0).get(1)).hasSize(size);
        // Geometric growth copies at most about twice the value; quadratic copying would be ~2^39 bytes.
        assertThat(allocated).isLessThan(8L * size);
    }

    @Test
    void garbageWhereDollarIsExpectedNamesTheByte() {
        assertProtocolError("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "Protocol error: expected '$', got 'f'");
    }

    @Test
    void crOrLfWhereDollarIsExpectedIsShownAsSpace() {
        assertProtocolError("*1\r\n\r\r\n", "Protocol error: expected '$', got ' '");
    }

    @Test
    void seventyKilobyteInlineWithoutNewlineIsTooBig() {
        assertProtocolError("A".repeat(70 * 1024), "Protocol error: too big inline request");
    }

    @Test
    void inlineLineUpToTheLimitIsAccepted() throws Exception {
        RespDecoder d = new RespDecoder(new RespLimits(1024, 16, 10));
        d.decode(bytes("ECHO 12345"), sink); // ten bytes, no LF yet: still fine
        d.decode(bytes("\n"), sink);
        assertThat(sink.received).containsExactly(cmd("ECHO", "12345"));
        assertThatThrownBy(() -> d.decode(bytes("ECHO 123456\n"), sink))
                .hasMessage("Protocol error: too big inline request");
    }

    @Test
    void tooLongCountLineIsRefused() {
        assertProtocolError("*" + "1".repeat(70 * 1024), "Protocol error: too big mbulk count string");
    }

    @Test
    void tooLongBulkLengthLineIsRefused() {
        assertProtocolError("*1\r\n$" + "1".repeat(70 * 1024), "Protocol error: too big bulk count string");
    }

    @Test
    void bulkNotFollowedByCrlfIsRefusedRatherThanTruncated() {
        assertProtocolError("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvalue\r\n", "Protocol error: invalid CRLF in request");
        assertThat(sink.received).isEmpty();
    }

    @Test
    void headerCrWithoutLfIsRefused() {
        assertProtocolError("*1\rX$4\r\nPING\r\n", "Protocol error: invalid CRLF in request");
    }

    @Test
    void protocolErrorRepliesAsRedisDoes() {
        RespProtocolException e = new RespProtocolException(RespProtocolException.INVALID_BULK_LENGTH);
        ByteArrayRespOutput out = new ByteArrayRespOutput();
        RespEncoder.encode(e.reply(), 2, out);
        assertThat(new String(out.toByteArray(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
    }

    @Test
    void commandsBeforeTheBadBytesAreDeliveredThenTheErrorRaised() {
        assertThatThrownBy(() -> decode("PING\r\n*1\r\n$4\r\nECHO\r\n*abc\r\nPING\r\n"))
                .hasMessage("Protocol error: invalid multibulk length");
        assertThat(sink.received).containsExactly(cmd("PING"), cmd("ECHO"));
    }

    @Test
    void afterAnErrorTheDecoderRefusesFurtherInputAndHoldsNothing() {
        assertProtocolError("*abc\r\n", "Protocol error: invalid multibulk length");
        assertThatThrownBy(() -> decode("PING\r\n")).hasMessage("Protocol error: invalid multibulk length");
        assertThat(sink.received).isEmpty();
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void unauthenticatedConnectionsGetRedisTightLimits() {
        RespDecoder d = new RespDecoder(RespLimits.defaults());
        d.authenticated(false);
        assertThatThrownBy(() -> d.decode(bytes("*11\r\n"), sink))
                .hasMessage("Protocol error: unauthenticated multibulk length");
        RespDecoder d2 = new RespDecoder(RespLimits.defaults());
        d2.authenticated(false);
        assertThatThrownBy(() -> d2.decode(bytes("*1\r\n$16385\r\n"), sink))
                .hasMessage("Protocol error: unauthenticated bulk length");
    }

    @Test
    void unauthenticatedLimitsStillAllowAuthAndSmallCommands() throws Exception {
        decoder.authenticated(false);
        decode("*10\r\n" + "$1\r\na\r\n".repeat(9) + "$16384\r\n" + "b".repeat(16384) + "\r\n");
        assertThat(sink.received).hasSize(1);
        assertThat(sink.received.get(0)).hasSize(10);
    }

    @Test
    void authenticatingInsideTheSinkLiftsTheLimitsForTheNextPipelinedCommand() throws Exception {
        RespDecoder d = new RespDecoder(RespLimits.defaults());
        d.authenticated(false);
        List<Integer> sizes = new ArrayList<>();
        CommandSink server = argv -> {
            sizes.add(argv.length);
            if (new String(argv[0]).equals("AUTH")) {
                d.authenticated(true);
            }
        };
        d.decode(bytes("AUTH secret\r\n*12\r\n" + "$1\r\na\r\n".repeat(12)), server);
        assertThat(sizes).containsExactly(2, 12);
    }

    @Test
    void invalidBulkLengthIsCheckedBeforeTheUnauthenticatedLimit() {
        decoder.authenticated(false);
        assertProtocolError("*1\r\n$-5\r\n", "Protocol error: invalid bulk length");
    }

    private static long allocatedBytes() {
        return ((ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
