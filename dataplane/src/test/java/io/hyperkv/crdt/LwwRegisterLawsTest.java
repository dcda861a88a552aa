package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;

import net.jqwik.api.Arbitrary;

/** Last-writer-wins register laws. */
class LwwRegisterLawsTest extends CrdtLaws<LwwRegister, String> {

    @Override
    LwwRegister empty() {
        return LwwRegister.EMPTY;
    }

    @Override
    Class<LwwRegister> type() {
        return LwwRegister.class;
    }

    @Override
    String view(LwwRegister state) {
        return state.value().utf8();
    }

    @Override
    Arbitrary<Op<LwwRegister, String>> ops() {
        return Universe.member().map(v -> new Op<>("WRITE " + v, (s, c) -> LwwRegister.write(b(v), c), old -> v));
    }
}
