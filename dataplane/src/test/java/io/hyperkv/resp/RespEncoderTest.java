package io.hyperkv.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class RespEncoderTest {

    private static String encode(Reply reply, int protocol) {
        ByteArrayRespOutput out = new ByteArrayRespOutput(4);
        RespEncoder.encode(reply, protocol, out);
        return new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
    }

    private static void assertBoth(Reply reply, String resp2, String resp3) {
        assertThat(encode(reply, 2)).as("RESP2 of %s", reply).isEqualTo(resp2);
        assertThat(encode(reply, 3)).as("RESP3 of %s", reply).isEqualTo(resp3);
    }

    @Test
    void simpleStringsAreTheSameInBothProtocols() {
        assertBoth(Reply.OK, "+OK\r\n", "+OK\r\n");
        assertBoth(Reply.PONG, "+PONG\r\n", "+PONG\r\n");
        assertBoth(Reply.QUEUED, "+QUEUED\r\n", "+QUEUED\r\n");
        assertBoth(Reply.simple("OK"), "+OK\r\n", "+OK\r\n");
        assertBoth(Reply.simple("string"), "+string\r\n", "+string\r\n");
    }

    @Test
    void errorsCarryTheirCode() {
        assertBoth(Reply.error("ERR syntax error"), "-ERR syntax error\r\n", "-ERR syntax error\r\n");
        assertBoth(Reply.error("WRONGTYPE Operation against a key holding the wrong kind of value"),
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
                "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    }

    @Test
    void lineBreaksInsideSimpleStringsAndErrorsBecomeSpaces() {
        assertBoth(Reply.error("ERR a\r\nb"), "-ERR a  b\r\n", "-ERR a  b\r\n");
        assertBoth(Reply.simple("x\ny"), "+x y\r\n", "+x y\r\n");
        assertBoth(Reply.error("ERR é\n"), "-ERR \u00c3\u00a9 \r\n", "-ERR \u00c3\u00a9 \r\n");
    }

    @Test
    void integersIncludingTheExtremes() {
        assertBoth(Reply.ZERO, ":0\r\n", ":0\r\n");
        assertBoth(Reply.ONE, ":1\r\n", ":1\r\n");
        assertBoth(Reply.integer(-1), ":-1\r\n", ":-1\r\n");
        assertBoth(Reply.integer(1023), ":1023\r\n", ":1023\r\n");
        assertBoth(Reply.integer(1024), ":1024\r\n", ":1024\r\n");
        assertBoth(Reply.integer(-42), ":-42\r\n", ":-42\r\n");
        assertBoth(Reply.integer(Long.MAX_VALUE), ":9223372036854775807\r\n", ":9223372036854775807\r\n");
        assertBoth(Reply.integer(Long.MIN_VALUE), ":-9223372036854775808\r\n", ":-9223372036854775808\r\n");
    }

    @Property(tries = 500)
    void everyIntegerIsWrittenAsItsDecimalText(@ForAll long value) {
        assertThat(encode(Reply.integer(value), 2)).isEqualTo(":" + value + "\r\n");
    }

    @Test
    void bulkStringsOfAnyLengthAndContent() {
        assertBoth(Reply.bulk("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n");
        assertBoth(Reply.bulk(""), "$0\r\n\r\n", "$0\r\n\r\n");
        assertBoth(Reply.bulk(new byte[] {'\r', '\n', 0}), "$3\r\n\r\n\0\r\n", "$3\r\n\r\n\0\r\n");
        String big = "v".repeat(5000);
        assertBoth(Reply.bulk(big), "$5000\r\n" + big + "\r\n", "$5000\r\n" + big + "\r\n");
    }

    @Test
    void nullIsUnderscoreInResp3AndNullBulkOrNullArrayInResp2() {
        assertBoth(Reply.NULL, "$-1\r\n", "_\r\n");
        assertBoth(Reply.NULL_ARRAY, "*-1\r\n", "_\r\n");
        assertBoth(Reply.bulk((byte[]) null), "$-1\r\n", "_\r\n");
    }

    @Test
    void arraysNestAndMayBeEmpty() {
        assertBoth(Reply.EMPTY_ARRAY, "*0\r\n", "*0\r\n");
        assertBoth(Reply.array(List.of(Reply.bulk("a"), Reply.integer(7), Reply.array(List.of(Reply.NULL)))),
                "*3\r\n$1\r\na\r\n:7\r\n*1\r\n$-1\r\n", "*3\r\n$1\r\na\r\n:7\r\n*1\r\n_\r\n");
        Reply big = Reply.array(java.util.Collections.nCopies(2000, Reply.ZERO));
        assertThat(encode(big, 2)).startsWith("*2000\r\n:0\r\n").hasSize("*2000\r\n".length() + 2000 * 4);
    }

    @Test
    void mapIsPercentInResp3AndFlatArrayInResp2() {
        Reply map = new Reply.MapReply(List.of(Reply.bulk("server"), Reply.bulk("hyperkv"), Reply.bulk("proto"),
                Reply.integer(3)));
        assertBoth(map, "*4\r\n$6\r\nserver\r\n$7\r\nhyperkv\r\n$5\r\nproto\r\n:3\r\n",
                "%2\r\n$6\r\nserver\r\n$7\r\nhyperkv\r\n$5\r\nproto\r\n:3\r\n");
    }

    @Test
    void mapWithAnOddNumberOfElementsIsRefused() {
        assertThatThrownBy(() -> encode(new Reply.MapReply(List.of(Reply.ONE)), 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void setIsTildeInResp3AndArrayInResp2() {
        assertBoth(new Reply.SetReply(List.of(Reply.bulk("a"), Reply.bulk("b"))),
                "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "~2\r\n$1\r\na\r\n$1\r\nb\r\n");
    }

    @Test
    void doubleIsCommaInResp3AndBulkInResp2FormattedAsRedis() {
        assertBoth(new Reply.DoubleReply(1.0), "$1\r\n1\r\n", ",1\r\n");
        assertBoth(new Reply.DoubleReply(1.5), "$3\r\n1.5\r\n", ",1.5\r\n");
        assertBoth(new Reply.DoubleReply(0.1), "$3\r\n0.1\r\n", ",0.1\r\n");
        assertBoth(new Reply.DoubleReply(-2.25), "$5\r\n-2.25\r\n", ",-2.25\r\n");
        assertBoth(new Reply.DoubleReply(Double.POSITIVE_INFINITY), "$3\r\ninf\r\n", ",inf\r\n");
        assertBoth(new Reply.DoubleReply(Double.NEGATIVE_INFINITY), "$4\r\n-inf\r\n", ",-inf\r\n");
        assertBoth(new Reply.DoubleReply(Double.NaN), "$3\r\nnan\r\n", ",nan\r\n");
    }

    @Test
    void booleanIsHashInResp3AndIntegerInResp2() {
        assertBoth(new Reply.BooleanReply(true), ":1\r\n", "#t\r\n");
        assertBoth(new Reply.BooleanReply(false), ":0\r\n", "#f\r\n");
    }

    @Test
    void bigNumberIsParenInResp3AndBulkInResp2() {
        assertBoth(new Reply.BigNumber("3492890328409238509324850943850943825024385"),
                "$43\r\n3492890328409238509324850943850943825024385\r\n",
                "(3492890328409238509324850943850943825024385\r\n");
    }

    @Test
    void verbatimIsEqualsWithFormatInResp3AndPlainBulkInResp2() {
        assertBoth(new Reply.Verbatim("txt", "Some string".getBytes(StandardCharsets.UTF_8)),
                "$11\r\nSome string\r\n", "=15\r\ntxt:Some string\r\n");
        assertThatThrownBy(() -> encode(new Reply.Verbatim("text", new byte[0]), 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pushIsAngleInResp3AndArrayInResp2() {
        Reply message = new Reply.Push(List.of(Reply.bulk("message"), Reply.bulk("ch"), Reply.bulk("hi")));
        assertBoth(message, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
                ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    }

    @Test
    void resp3ShapesNestedInsideArraysAreDegradedToo() {
        Reply reply = Reply.array(List.of(new Reply.MapReply(List.of(Reply.bulk("k"), new Reply.DoubleReply(2.5))),
                new Reply.BooleanReply(true)));
        assertBoth(reply, "*2\r\n*2\r\n$1\r\nk\r\n$3\r\n2.5\r\n:1\r\n", "*2\r\n%1\r\n$1\r\nk\r\n,2.5\r\n#t\r\n");
    }

    @Test
    void onlyProtocolsTwoAndThreeExist() {
        assertThatThrownBy(() -> encode(Reply.OK, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outputGrowsResetsAndCopies() {
        ByteArrayRespOutput out = new ByteArrayRespOutput(0);
        for (int i = 0; i < 1000; i++) {
            RespEncoder.encode(Reply.OK, 2, out);
        }
        assertThat(out.size()).isEqualTo(5000);
        assertThat(out.toByteArray()).hasSize(5000);
        assertThat(out.array().length).isGreaterThanOrEqualTo(5000);
        out.reset();
        assertThat(out.size()).isZero();
        RespEncoder.encode(Reply.ONE, 3, out);
        assertThat(new String(out.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo(":1\r\n");
    }
}
