package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;
import static io.hyperkv.crdt.Universe.bytes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** List sequence laws; every list command against a single-copy model written from Redis's rules. */
class SequenceLawsTest extends CrdtLaws<Sequence, List<String>> {

    @Override
    Sequence empty() {
        return Sequence.EMPTY;
    }

    @Override
    Class<Sequence> type() {
        return Sequence.class;
    }

    @Override
    List<String> view(Sequence state) {
        return state.values().stream().map(Bytes::utf8).toList();
    }

    @Override
    Arbitrary<Op<Sequence, List<String>>> ops() {
        Arbitrary<Op<Sequence, List<String>>> lpush = Universe.members().map(vs -> new Op<>("LPUSH " + vs,
                (s, c) -> s.pushLeft(bytes(vs), c), l -> {
                    List<String> out = new ArrayList<>(l);
                    vs.forEach(v -> out.add(0, v));
                    return out;
                }));
        Arbitrary<Op<Sequence, List<String>>> rpush = Universe.members().map(vs -> new Op<>("RPUSH " + vs,
                (s, c) -> s.pushRight(bytes(vs), c), l -> {
                    List<String> out = new ArrayList<>(l);
                    out.addAll(vs);
                    return out;
                }));
        Arbitrary<Op<Sequence, List<String>>> linsert = Combinators.combine(Universe.member(), Arbitraries.of(true, false), Universe.member())
                .as((pivot, before, v) -> new Op<>("LINSERT " + (before ? "BEFORE " : "AFTER ") + pivot + " " + v,
                        (s, c) -> s.insert(b(pivot), before, b(v), c).orElse(Sequence.EMPTY), l -> {
                            List<String> out = new ArrayList<>(l);
                            int i = out.indexOf(pivot);
                            if (i >= 0) {
                                out.add(before ? i : i + 1, v);
                            }
                            return out;
                        }));
        Arbitrary<Op<Sequence, List<String>>> lset = Combinators.combine(Arbitraries.integers().between(-4, 4), Universe.member())
                .as((k, v) -> new Op<>("LSET " + k + " " + v, (s, c) -> {
                    long i = index(k, s.size());
                    return i < 0 ? Sequence.EMPTY : s.set(i, b(v), c);
                }, l -> {
                    List<String> out = new ArrayList<>(l);
                    long i = index(k, l.size());
                    if (i >= 0) {
                        out.set((int) i, v);
                    }
                    return out;
                }));
        Arbitrary<Op<Sequence, List<String>>> lrem = Combinators.combine(Arbitraries.integers().between(-2, 2), Universe.member())
                .as((count, v) -> new Op<>("LREM " + count + " " + v, (s, c) -> s.remove(count, b(v), c).delta(),
                        l -> lrem(l, count, v)));
        Arbitrary<Op<Sequence, List<String>>> lpop = Arbitraries.integers().between(1, 3).map(k -> new Op<>("LPOP " + k,
                (s, c) -> s.popLeft(k, c).delta(), l -> new ArrayList<>(l.subList(Math.min(k, l.size()), l.size()))));
        Arbitrary<Op<Sequence, List<String>>> rpop = Arbitraries.integers().between(1, 3).map(k -> new Op<>("RPOP " + k,
                (s, c) -> s.popRight(k, c).delta(), l -> new ArrayList<>(l.subList(0, Math.max(0, l.size() - k)))));
        Arbitrary<Op<Sequence, List<String>>> ltrim = Combinators.combine(Arbitraries.integers().between(-5, 5), Arbitraries.integers().between(-5, 5))
                .as((start, stop) -> new Op<>("LTRIM " + start + " " + stop, (s, c) -> s.trim(start, stop, c).delta(),
                        l -> ltrim(l, start, stop)));
        Arbitrary<Op<Sequence, List<String>>> del = Arbitraries.just(new Op<>("DEL", Sequence::clear, l -> List.of()));
        return Arbitraries.oneOf(lpush, rpush, rpush, linsert, lset, lrem, lpop, rpop, ltrim, del);
    }

    /** LSET's index into a list of {@code size}, or -1 if out of range (then the op is skipped). */
    private static long index(int k, int size) {
        long i = k < 0 ? k + size : k;
        return i >= 0 && i < size ? i : -1;
    }

    private static List<String> lrem(List<String> l, int count, String v) {
        List<String> out = new ArrayList<>(l);
        if (count < 0) {
            Collections.reverse(out);
        }
        int left = count == 0 ? Integer.MAX_VALUE : Math.abs(count);
        for (int i = 0; i < out.size() && left > 0; ) {
            if (out.get(i).equals(v)) {
                out.remove(i);
                left--;
            } else {
                i++;
            }
        }
        if (count < 0) {
            Collections.reverse(out);
        }
        return out;
    }

    /** Redis's ltrimCommand, transcribed. */
    private static List<String> ltrim(List<String> l, long start, long end) {
        long llen = l.size();
        if (start < 0) {
            start = llen + start;
        }
        if (end < 0) {
            end = llen + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= llen) {
            return List.of();
        }
        if (end >= llen) {
            end = llen - 1;
        }
        return new ArrayList<>(l.subList((int) start, (int) end + 1));
    }
}
