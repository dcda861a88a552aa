package io.hyperkv.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.KeyValue;
import redis.clients.jedis.util.RedisInputStream;

/**
 * Reads what the encoder writes with a real client's protocol parser (Jedis 5, which speaks RESP2 and RESP3), so the
 * frames are checked against an independent implementation rather than against our own expectations of bytes.
 */
class RespEncoderClientReadTest {

    @Provide
    Arbitrary<Reply> replies() {
        return reply(3);
    }

    private Arbitrary<Reply> reply(int depth) {
        Arbitrary<Double> doubles = Arbitraries.oneOf(
                Arbitraries.longs().map(Double::longBitsToDouble),
                Arbitraries.doubles().between(-1e9, 1e9).ofScale(3),
                Arbitraries.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, 1.0));
        Arbitrary<Reply> leaf = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(30)
                        .map(s -> Reply.bulk(s.getBytes(StandardCharsets.ISO_8859_1))),
                Arbitraries.strings().alpha().numeric().withChars(' ', '-', ':').ofMaxLength(20).map(Reply::simple),
                Arbitraries.longs().map(Reply::integer),
                Arbitraries.of(Reply.NULL, Reply.NULL_ARRAY),
                doubles.filter(d -> !Double.isNaN(d)).map(Reply.DoubleReply::new),
                Arbitraries.of(true, false).map(Reply.BooleanReply::new),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(b -> new Reply.BigNumber(b.toString())),
                Arbitraries.strings().alpha().ofMaxLength(20)
                        .map(s -> new Reply.Verbatim("txt", s.getBytes(StandardCharsets.UTF_8))));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<List<Reply>> items = reply(depth - 1).list().ofMaxSize(4);
        return Arbitraries.frequencyOf(
                Tuple.of(4, leaf),
                Tuple.of(1, items.map(Reply::array)),
                Tuple.of(1, items.map(Reply.SetReply::new)),
                Tuple.of(1, items.map(RespEncoderClientReadTest::pairs).map(Reply.MapReply::new)));
    }

    private static List<Reply> pairs(List<Reply> items) {
        return (items.size() & 1) == 0 ? items : items.subList(0, items.size() - 1);
    }

    @Property(tries = 500)
    void jedisReadsEveryReplyAsRedisWouldSendIt(@ForAll("replies") Reply reply, @ForAll boolean resp3) {
        ByteArrayRespOutput out = new ByteArrayRespOutput();
        RespEncoder.encode(reply, resp3 ? 3 : 2, out);
        RedisInputStream in = new RedisInputStream(new ByteArrayInputStream(out.toByteArray()));
        Object read = normalize(Protocol.read(in));
        assertThat(read).isEqualTo(expected(reply, resp3));
    }

    /** What a client should see for {@code reply}, in Jedis's vocabulary with byte strings as ISO-8859-1 text. */
    private static Object expected(Reply reply, boolean resp3) {
        if (reply instanceof Reply.Bulk b) {
            return text(b.bytes());
        } else if (reply instanceof Reply.SimpleString s) {
            return s.text();
        } else if (reply instanceof Reply.Int i) {
            return i.value();
        } else if (reply instanceof Reply.Null) {
            return null;
        } else if (reply instanceof Reply.Array a) {
            return expectedList(a.items(), resp3);
        } else if (reply instanceof Reply.SetReply s) {
            return expectedList(s.items(), resp3);
        } else if (reply instanceof Reply.MapReply m) {
            if (!resp3) {
                return expectedList(m.keysAndValues(), false);
            }
            List<Object> pairs = new ArrayList<>();
            for (int i = 0; i < m.keysAndValues().size(); i += 2) {
                pairs.add(java.util.Arrays.asList(expected(m.keysAndValues().get(i), true),
                        expected(m.keysAndValues().get(i + 1), true)));
            }
            return pairs;
        } else if (reply instanceof Reply.DoubleReply d) {
            return resp3 ? (Object) d.value() : RedisDouble.format(d.value());
        } else if (reply instanceof Reply.BooleanReply b) {
            return resp3 ? (Object) b.value() : (Object) (b.value() ? 1L : 0L);
        } else if (reply instanceof Reply.BigNumber n) {
            return resp3 ? new BigInteger(n.digits()) : n.digits();
        } else if (reply instanceof Reply.Verbatim v) {
            return resp3 ? v.format() + ":" + text(v.text()) : text(v.text());
        }
        throw new AssertionError("unexpected " + reply);
    }

    private static List<Object> expectedList(List<Reply> items, boolean resp3) {
        List<Object> list = new ArrayList<>();
        items.forEach(r -> list.add(expected(r, resp3)));
        return list;
    }

    private static Object normalize(Object o) {
        if (o instanceof byte[] b) {
            return text(b);
        }
        if (o instanceof KeyValue<?, ?> kv) {
            return java.util.Arrays.asList(normalize(kv.getKey()), normalize(kv.getValue()));
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(e -> out.add(normalize(e)));
            return out;
        }
        return o;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
