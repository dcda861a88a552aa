package io.hyperkv.crdt;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Small alphabets for the property tests, so that random operations collide often. */
final class Universe {

    private Universe() {
    }

    static Arbitrary<String> member() {
        return Arbitraries.of("a", "b", "c", "d", "");
    }

    static Arbitrary<List<String>> members() {
        return member().list().ofMinSize(1).ofMaxSize(3);
    }

    /** Integer strings in Redis's syntax, so increments on them are legal. */
    static Arbitrary<String> number() {
        return Arbitraries.of("0", "1", "7", "-3", "42");
    }

    static Arbitrary<Long> increment() {
        return Arbitraries.longs().between(-5, 5);
    }

    static Bytes b(String s) {
        return Bytes.of(s);
    }

    static List<Bytes> bytes(List<String> values) {
        return values.stream().map(Bytes::of).toList();
    }
}
