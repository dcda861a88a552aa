package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.bytes;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** OR-set laws; SADD/SREM/DEL against a single-copy model. */
class OrSetLawsTest extends CrdtLaws<OrSet, List<String>> {

    @Override
    OrSet empty() {
        return OrSet.EMPTY;
    }

    @Override
    Class<OrSet> type() {
        return OrSet.class;
    }

    @Override
    List<String> view(OrSet state) {
        List<String> out = new ArrayList<>();
        state.members().forEach(m -> out.add(m.utf8()));
        return out;
    }

    @Override
    Arbitrary<Op<OrSet, List<String>>> ops() {
        Arbitrary<Op<OrSet, List<String>>> add = Universe.members().map(ms -> new Op<>("SADD " + ms,
                (s, c) -> s.add(bytes(ms), c), v -> sorted(v, ms, true)));
        Arbitrary<Op<OrSet, List<String>>> remove = Universe.members().map(ms -> new Op<>("SREM " + ms,
                (s, c) -> s.remove(bytes(ms), c), v -> sorted(v, ms, false)));
        Arbitrary<Op<OrSet, List<String>>> del = Arbitraries.just(new Op<>("DEL", OrSet::clear, v -> List.of()));
        return Arbitraries.oneOf(add, add, remove, del);
    }

    private static List<String> sorted(List<String> view, List<String> members, boolean add) {
        TreeSet<String> set = new TreeSet<>(view);
        if (add) {
            set.addAll(members);
        } else {
            set.removeAll(members);
        }
        return new ArrayList<>(set);
    }
}
