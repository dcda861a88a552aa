package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** String register laws; SET/INCRBY/DEL against a single-copy model. */
class CounterRegisterLawsTest extends CrdtLaws<CounterRegister, Optional<String>> {

    @Override
    CounterRegister empty() {
        return CounterRegister.EMPTY;
    }

    @Override
    Class<CounterRegister> type() {
        return CounterRegister.class;
    }

    @Override
    Optional<String> view(CounterRegister state) {
        return state.value().map(v -> v.bytes().utf8());
    }

    @Override
    Arbitrary<Op<CounterRegister, Optional<String>>> ops() {
        Arbitrary<Op<CounterRegister, Optional<String>>> set = Universe.number().map(v -> new Op<>("SET " + v,
                (s, c) -> s.assign(b(v), c), old -> Optional.of(v)));
        Arbitrary<Op<CounterRegister, Optional<String>>> incr = Universe.increment().map(by -> new Op<>("INCRBY " + by,
                (s, c) -> s.increment(by, c), old -> Optional.of(Long.toString(Long.parseLong(old.orElse("0")) + by))));
        Arbitrary<Op<CounterRegister, Optional<String>>> del = Arbitraries.just(new Op<>("DEL", CounterRegister::clear,
                old -> Optional.empty()));
        return Arbitraries.oneOf(set, incr, incr, del);
    }
}
