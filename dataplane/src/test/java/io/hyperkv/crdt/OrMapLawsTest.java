package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;
import static io.hyperkv.crdt.Universe.bytes;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** OR-map laws; HSET/HINCRBY/HDEL/DEL against a single-copy model. */
class OrMapLawsTest extends CrdtLaws<OrMap, Map<String, String>> {

    @Override
    OrMap empty() {
        return OrMap.EMPTY;
    }

    @Override
    Class<OrMap> type() {
        return OrMap.class;
    }

    @Override
    Map<String, String> view(OrMap state) {
        Map<String, String> out = new TreeMap<>();
        for (Bytes f : state.fields()) {
            out.put(f.utf8(), state.get(f).orElseThrow().bytes().utf8());
        }
        return out;
    }

    @Override
    Arbitrary<Op<OrMap, Map<String, String>>> ops() {
        Arbitrary<Op<OrMap, Map<String, String>>> put = Combinators.combine(Universe.member(), Universe.number())
                .as((f, v) -> new Op<>("HSET " + f + " " + v, (s, c) -> s.put(b(f), b(v), c), m -> with(m, f, v)));
        Arbitrary<Op<OrMap, Map<String, String>>> incr = Combinators.combine(Universe.member(), Universe.increment())
                .as((f, by) -> new Op<>("HINCRBY " + f + " " + by, (s, c) -> s.increment(b(f), by, c),
                        m -> with(m, f, Long.toString(Long.parseLong(m.getOrDefault(f, "0")) + by))));
        Arbitrary<Op<OrMap, Map<String, String>>> del = Universe.members().map(fs -> new Op<>("HDEL " + fs,
                (s, c) -> s.remove(bytes(fs), c), m -> without(m, fs)));
        Arbitrary<Op<OrMap, Map<String, String>>> clear = Arbitraries.just(new Op<>("DEL", OrMap::clear, m -> Map.of()));
        return Arbitraries.oneOf(put, incr, incr, del, clear);
    }

    private static Map<String, String> with(Map<String, String> m, String f, String v) {
        Map<String, String> out = new TreeMap<>(m);
        out.put(f, v);
        return out;
    }

    private static Map<String, String> without(Map<String, String> m, List<String> fs) {
        Map<String, String> out = new TreeMap<>(m);
        fs.forEach(out::remove);
        return out;
    }
}
