package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.OrMap;
import io.hyperkv.crdt.RegisterValue;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.ZSetStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Random sequences of ZADD (with its options), ZINCRBY, ZREM, ZREMRANGEBY{SCORE,RANK,LEX}, ZPOPMIN
 * and ZPOPMAX against the real command table on RocksDB and against a simple in-test model (a
 * member → score map that follows Redis's rules). After every command: the reply equals the
 * model's, ZRANGE WITHSCORES equals the model in Redis order, and the stored layout holds its
 * invariant — the score index is exactly the (score, member) pairs of the member rows, META's size
 * counts them, and each row's score is its register's resolved (LWW-winning) value.
 */
class ZSetIndexPropertiesTest {

    private static Path dir;
    private static CommandHarness h;

    @BeforeContainer
    static void open() throws IOException {
        dir = Files.createTempDirectory("zset-props");
        h = new CommandHarness(dir);
    }

    @AfterContainer
    static void close() throws IOException {
        h.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @BeforeTry
    void flush() {
        h.run("FLUSHALL");
    }

    record Cmd(List<String> args) {
        @Override
        public String toString() {
            return String.join(" ", args);
        }
    }

    private static final List<String> MEMBERS = List.of("a", "b", "c", "d", "e", "", "aa", "B");
    private static final List<String> SCORES = List.of("-2", "-1", "-0", "0", "0.5", "1", "1.5", "2", "3", "inf", "-inf", "2.25");

    @Provide
    Arbitrary<List<Cmd>> commands() {
        Arbitrary<String> m = Arbitraries.of(MEMBERS);
        Arbitrary<String> sc = Arbitraries.of(SCORES);
        Arbitrary<String> flag = Arbitraries.of("", "NX", "XX", "GT", "LT", "CH", "GT CH", "XX LT", "INCR", "XX INCR", "GT INCR");
        Arbitrary<Cmd> zadd = Combinators.combine(flag, sc, m, sc, m).as((f, s1, m1, s2, m2) -> {
            List<String> a = new ArrayList<>(List.of("ZADD", "z"));
            if (!f.isEmpty()) {
                a.addAll(List.of(f.split(" ")));
            }
            a.addAll(List.of(s1, m1));
            if (!f.contains("INCR")) {
                a.addAll(List.of(s2, m2));
            }
            return new Cmd(a);
        });
        Arbitrary<Cmd> zincrby = Combinators.combine(sc, m).as((s, x) -> new Cmd(List.of("ZINCRBY", "z", s, x)));
        Arbitrary<Cmd> zrem = Combinators.combine(m, m).as((x, y) -> new Cmd(List.of("ZREM", "z", x, y)));
        Arbitrary<String> bound = Arbitraries.of("-inf", "+inf", "0", "1", "(1", "2", "(0", "-1", "(2.25");
        Arbitrary<Cmd> byScore = Combinators.combine(bound, bound).as((x, y) -> new Cmd(List.of("ZREMRANGEBYSCORE", "z", x, y)));
        Arbitrary<Integer> idx = Arbitraries.integers().between(-6, 6);
        Arbitrary<Cmd> byRank = Combinators.combine(idx, idx).as((x, y) -> new Cmd(List.of("ZREMRANGEBYRANK", "z", x.toString(), y.toString())));
        Arbitrary<String> lex = Arbitraries.of("-", "+", "[a", "(a", "[b", "(c", "[", "[aa", "(e");
        Arbitrary<Cmd> byLex = Combinators.combine(lex, lex).as((x, y) -> new Cmd(List.of("ZREMRANGEBYLEX", "z", x, y)));
        Arbitrary<Cmd> pop = Combinators.combine(Arbitraries.of("ZPOPMIN", "ZPOPMAX"), Arbitraries.integers().between(0, 3))
                .as((c, n) -> n == 0 ? new Cmd(List.of(c, "z")) : new Cmd(List.of(c, "z", n.toString())));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, zadd), net.jqwik.api.Tuple.of(3, zincrby), net.jqwik.api.Tuple.of(2, zrem),
                net.jqwik.api.Tuple.of(1, byScore), net.jqwik.api.Tuple.of(1, byRank), net.jqwik.api.Tuple.of(1, byLex),
                net.jqwik.api.Tuple.of(1, pop)).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 150)
    void indexEqualsRowsAndRepliesEqualTheModel(@ForAll("commands") List<Cmd> commands) {
        Model model = new Model();
        for (Cmd c : commands) {
            String expected = model.apply(c.args());
            String actual = h.show(c.args().toArray(String[]::new));
            assertThat(actual).as(c.toString()).isEqualTo(expected);
            assertThat(h.show("ZRANGE", "z", "0", "-1", "WITHSCORES")).as("after " + c).isEqualTo(model.range());
            assertLayout();
        }
    }

    private static void assertLayout() {
        byte[] k = "z".getBytes(StandardCharsets.UTF_8);
        Metadata m = h.ks.read(0, k);
        if (m == null) {
            return;
        }
        ZSetStore s = new ZSetStore(h.ks);
        List<ZSetStore.Member> index = s.all(0, k, m);
        List<ZSetStore.Member> rows = s.rowEntries(0, k, m);
        assertThat(new HashSet<>(index)).isEqualTo(new HashSet<>(rows));
        assertThat(index).hasSize(rows.size()).hasSize((int) m.size());
        OrMap state = s.state(0, k);
        for (ZSetStore.Member row : rows) {
            DotFun<io.hyperkv.crdt.Contribution> f = state.store().get(Bytes.of(row.member()));
            RegisterValue v = RegisterValue.resolve(f).orElseThrow();
            byte[] assigned = v.assigned().orElseThrow().toByteArray();
            assertThat(Double.doubleToRawLongBits(row.score())).isEqualTo(java.nio.ByteBuffer.wrap(assigned).getLong());
        }
    }

    /** Redis's sorted-set semantics on a map, for sets small enough to stay listpack (-0 is read back as 0). */
    static final class Model {
        final Map<String, Double> scores = new TreeMap<>();

        String apply(List<String> a) {
            String cmd = a.get(0);
            switch (cmd) {
                case "ZADD": {
                    int i = 2;
                    boolean nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
                    for (; ; i++) {
                        String o = a.get(i);
                        if (o.equals("NX")) {
                            nx = true;
                        } else if (o.equals("XX")) {
                            xx = true;
                        } else if (o.equals("GT")) {
                            gt = true;
                        } else if (o.equals("LT")) {
                            lt = true;
                        } else if (o.equals("CH")) {
                            ch = true;
                        } else if (o.equals("INCR")) {
                            incr = true;
                        } else {
                            break;
                        }
                    }
                    int added = 0, changed = 0, processed = 0;
                    double last = 0;
                    for (; i < a.size(); i += 2) {
                        double s = parse(a.get(i));
                        String mem = a.get(i + 1);
                        Double cur = scores.get(mem);
                        if (cur != null) {
                            if (nx) {
                                continue;
                            }
                            if (incr) {
                                s += cur;
                                if (Double.isNaN(s)) {
                                    return "-ERR resulting score is not a number (NaN)";
                                }
                            }
                            if ((lt && s >= cur) || (gt && s <= cur)) {
                                continue;
                            }
                            processed++;
                            last = s;
                            if (s != cur) {
                                scores.put(mem, norm(s));
                                changed++;
                            }
                        } else if (!xx) {
                            scores.put(mem, norm(s));
                            added++;
                            processed++;
                            last = s;
                        }
                    }
                    if (incr) {
                        return processed > 0 ? "\"" + fmt(last) + "\"" : "nil";
                    }
                    return ":" + (ch ? added + changed : added);
                }
                case "ZINCRBY": {
                    double by = parse(a.get(2));
                    Double cur = scores.get(a.get(3));
                    double s = cur == null ? by : cur + by;
                    if (Double.isNaN(s)) {
                        return "-ERR resulting score is not a number (NaN)";
                    }
                    if (cur == null || s != cur) {
                        scores.put(a.get(3), norm(s));
                    }
                    return "\"" + fmt(s) + "\"";
                }
                case "ZREM": {
                    int n = 0;
                    for (String x : new java.util.LinkedHashSet<>(a.subList(2, a.size()))) {
                        if (scores.remove(x) != null) {
                            n++;
                        }
                    }
                    return ":" + n;
                }
                case "ZREMRANGEBYSCORE": {
                    double[] lo = bound(a.get(2));
                    double[] hi = bound(a.get(3));
                    int n = 0;
                    for (String x : new ArrayList<>(scores.keySet())) {
                        double s = scores.get(x);
                        boolean above = lo[1] == 1 ? s > lo[0] : s >= lo[0];
                        boolean below = hi[1] == 1 ? s < hi[0] : s <= hi[0];
                        if (above && below) {
                            scores.remove(x);
                            n++;
                        }
                    }
                    return ":" + n;
                }
                case "ZREMRANGEBYRANK": {
                    List<String> order = ordered();
                    long size = order.size();
                    long start = Long.parseLong(a.get(2));
                    long stop = Long.parseLong(a.get(3));
                    if (start < 0) {
                        start += size;
                    }
                    if (stop < 0) {
                        stop += size;
                    }
                    if (start < 0) {
                        start = 0;
                    }
                    if (start > stop || start >= size) {
                        return ":0";
                    }
                    stop = Math.min(stop, size - 1);
                    for (long r = start; r <= stop; r++) {
                        scores.remove(order.get((int) r));
                    }
                    return ":" + (stop - start + 1);
                }
                case "ZREMRANGEBYLEX": {
                    int n = 0;
                    for (String x : new ArrayList<>(scores.keySet())) {
                        if (lexAbove(x, a.get(2)) && lexBelow(x, a.get(3))) {
                            scores.remove(x);
                            n++;
                        }
                    }
                    return ":" + n;
                }
                default: { // ZPOPMIN / ZPOPMAX [count]
                    List<String> order = ordered();
                    if (cmd.equals("ZPOPMAX")) {
                        java.util.Collections.reverse(order);
                    }
                    int count = a.size() == 3 ? Integer.parseInt(a.get(2)) : 1;
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < count && i < order.size(); i++) {
                        out.add("\"" + order.get(i) + "\"");
                        out.add("\"" + fmt(scores.remove(order.get(i))) + "\"");
                    }
                    return "[" + String.join(", ", out) + "]";
                }
            }
        }

        List<String> ordered() {
            List<String> order = new ArrayList<>(scores.keySet());
            order.sort((x, y) -> {
                int c = Double.compare(scores.get(x), scores.get(y));
                return c != 0 ? c : Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
            });
            return order;
        }

        String range() {
            List<String> out = new ArrayList<>();
            for (String x : ordered()) {
                out.add("\"" + x + "\"");
                out.add("\"" + fmt(scores.get(x)) + "\"");
            }
            return "[" + String.join(", ", out) + "]";
        }

        static double norm(double s) {
            return s == 0 ? 0.0 : s;
        }

        static double parse(String s) {
            return switch (s) {
                case "inf", "+inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        }

        static String fmt(double d) {
            return io.hyperkv.resp.RedisDouble.format(d);
        }

        static double[] bound(String b) {
            boolean ex = b.startsWith("(");
            return new double[] {parse(ex ? b.substring(1) : b), ex ? 1 : 0};
        }

        static boolean lexAbove(String x, String b) {
            if (b.equals("-")) {
                return true;
            }
            if (b.equals("+")) {
                return false;
            }
            int c = Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), b.substring(1).getBytes(StandardCharsets.UTF_8));
            return b.charAt(0) == '(' ? c > 0 : c >= 0;
        }

        static boolean lexBelow(String x, String b) {
            if (b.equals("+")) {
                return true;
            }
            if (b.equals("-")) {
                return false;
            }
            int c = Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), b.substring(1).getBytes(StandardCharsets.UTF_8));
            return b.charAt(0) == '(' ? c < 0 : c <= 0;
        }
    }
}
