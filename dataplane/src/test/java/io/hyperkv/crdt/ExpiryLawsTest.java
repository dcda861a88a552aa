package io.hyperkv.crdt;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Expiry-field laws: EXPIREAT / PERSIST. */
class ExpiryLawsTest extends CrdtLaws<Expiry, Long> {

    @Override
    Expiry empty() {
        return Expiry.NONE;
    }

    @Override
    Class<Expiry> type() {
        return Expiry.class;
    }

    @Override
    Long view(Expiry state) {
        return state.atMillis();
    }

    @Override
    Arbitrary<Op<Expiry, Long>> ops() {
        Arbitrary<Op<Expiry, Long>> at = Arbitraries.longs().between(1, 5_000_000_000_000L)
                .map(t -> new Op<>("PEXPIREAT " + t, (s, c) -> Expiry.at(t, c), old -> t));
        Arbitrary<Op<Expiry, Long>> persist = Arbitraries.just(new Op<>("PERSIST", (s, c) -> Expiry.persist(c), old -> Expiry.NEVER));
        return Arbitraries.oneOf(at, at, persist);
    }
}
