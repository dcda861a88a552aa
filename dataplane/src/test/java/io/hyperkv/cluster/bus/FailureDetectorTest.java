package io.hyperkv.cluster.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailureDetectorTest {

    private final FailureDetector<String> detector = new FailureDetector<>(2_000, 10_000);

    @Test
    void aPeerNeverHeardFromIsDownAndItsFirstAnswerMakesItUp() {
        detector.track("b");
        assertThat(detector.state("b")).isEqualTo(PeerState.DOWN);
        assertThat(detector.evaluate(60_000)).isEmpty();
        FailureDetector.Transition<String> t = detector.heard("b", 60_000);
        assertThat(t).isEqualTo(new FailureDetector.Transition<>("b", PeerState.DOWN, PeerState.UP, 0));
        assertThat(detector.heard("b", 60_100)).isNull();
    }

    @Test
    void silenceMakesAPeerSuspectAtTwoSecondsAndDownAtTenEachChangeReportedOnce() {
        detector.heard("b", 1_000);
        assertThat(detector.evaluate(2_999)).isEmpty();
        assertThat(detector.evaluate(3_000))
                .containsExactly(new FailureDetector.Transition<>("b", PeerState.UP, PeerState.SUSPECT, 2_000));
        assertThat(detector.evaluate(5_000)).isEmpty();
        assertThat(detector.state("b")).isEqualTo(PeerState.SUSPECT);
        assertThat(detector.evaluate(10_999)).isEmpty();
        assertThat(detector.evaluate(11_000))
                .containsExactly(new FailureDetector.Transition<>("b", PeerState.SUSPECT, PeerState.DOWN, 10_000));
        assertThat(detector.evaluate(50_000)).isEmpty();
        assertThat(detector.silentMillis("b", 50_000)).isEqualTo(49_000);
    }

    @Test
    void theNextMessageBringsASuspectOrDownPeerBack() {
        detector.heard("b", 0);
        detector.evaluate(2_500);
        assertThat(detector.heard("b", 2_600).to()).isEqualTo(PeerState.UP);
        detector.evaluate(20_000);
        assertThat(detector.state("b")).isEqualTo(PeerState.DOWN);
        assertThat(detector.heard("b", 20_001))
                .isEqualTo(new FailureDetector.Transition<>("b", PeerState.DOWN, PeerState.UP, 0));
    }

    @Test
    void aLongGapGoesStraightToDownInOneTransition() {
        detector.heard("b", 0);
        assertThat(detector.evaluate(12_000))
                .containsExactly(new FailureDetector.Transition<>("b", PeerState.UP, PeerState.DOWN, 12_000));
    }

    @Test
    void peersAreJudgedIndependently() {
        detector.heard("b", 0);
        detector.heard("c", 0);
        detector.heard("c", 1_900);
        List<FailureDetector.Transition<String>> changes = detector.evaluate(2_100);
        assertThat(changes).extracting(FailureDetector.Transition::peer).containsExactly("b");
        assertThat(detector.state("c")).isEqualTo(PeerState.UP);
        detector.untrack("b");
        assertThat(detector.state("b")).isEqualTo(PeerState.DOWN);
    }
}
