package io.hyperkv.cluster.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

    private static byte[] frame(int size) {
        return new byte[size];
    }

    @Test
    void anOfferPastTheByteBoundIsRefusedAndNothingIsQueued() {
        OutboundQueue q = new OutboundQueue(1_000, 4);
        assertThat(q.offer(seq -> frame(600), 600)).isNotNull();
        assertThat(q.offer(seq -> frame(500), 500)).isNull();
        assertThat(q.bytes()).isEqualTo(600);
        assertThat(q.offer(seq -> frame(400), 400)).isNotNull();
        assertThat(q.bytes()).isEqualTo(1_000);
        assertThat(q.offer(seq -> frame(1), 1)).isNull();
        assertThat(q.queued()).isEqualTo(2);
    }

    @Test
    void anEstimateBelowTheRealSizeStillCannotBreakTheBound() {
        OutboundQueue q = new OutboundQueue(1_000, 4);
        assertThat(q.offer(seq -> frame(2_000), 10)).isNull();
        assertThat(q.bytes()).isZero();
    }

    @Test
    void atMostAWindowOfFramesIsInFlightAndAcksOpenIt() {
        OutboundQueue q = new OutboundQueue(1_000_000, 3);
        List<OutboundQueue.Entry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            entries.add(q.offer(seq -> frame(10), 10));
        }
        assertThat(q.takeSendable()).extracting(OutboundQueue.Entry::seq).containsExactly(1L, 2L, 3L);
        assertThat(q.takeSendable()).isEmpty();
        assertThat(q.ack(2)).isEqualTo(2);
        assertThat(entries.get(0).acked()).isCompleted();
        assertThat(entries.get(1).acked()).isCompleted();
        assertThat(entries.get(2).acked()).isNotDone();
        assertThat(q.takeSendable()).extracting(OutboundQueue.Entry::seq).containsExactly(4L, 5L);
        assertThat(q.bytes()).isEqualTo(30);
        q.ack(5);
        assertThat(q.bytes()).isZero();
        assertThat(entries).allSatisfy(e -> assertThat(e.acked()).isCompleted());
    }

    @Test
    void aRewindSendsTheUnacknowledgedFramesAgainInTheirOrderAndKeepsTheirNumbers() {
        OutboundQueue q = new OutboundQueue(1_000_000, 2);
        for (int i = 0; i < 4; i++) {
            q.offer(seq -> frame(10), 10);
        }
        q.takeSendable();
        q.ack(1);
        q.takeSendable();
        assertThat(q.inFlight()).isEqualTo(2);
        assertThat(q.rewind()).isEqualTo(2);
        assertThat(q.takeSendable()).extracting(OutboundQueue.Entry::seq).containsExactly(2L, 3L);
        assertThat(q.takeSendable()).isEmpty();
        q.ack(3);
        assertThat(q.takeSendable()).extracting(OutboundQueue.Entry::seq).containsExactly(4L);
    }

    @Test
    void aNackFailsThatFrameAndCountsEarlierOnesAsAcknowledged() {
        OutboundQueue q = new OutboundQueue(1_000_000, 8);
        OutboundQueue.Entry one = q.offer(seq -> frame(10), 10);
        OutboundQueue.Entry two = q.offer(seq -> frame(10), 10);
        OutboundQueue.Entry three = q.offer(seq -> frame(10), 10);
        q.takeSendable();
        q.nack(2, new DeltaHandler.DeltaRejection("SKEW", "clock skew"));
        assertThat(one.acked()).isCompleted();
        assertThat(two.acked()).isCompletedExceptionally();
        assertThat(two.acked().handle((v, e) -> e).join()).isInstanceOf(DeltaHandler.DeltaRejection.class);
        assertThat(three.acked()).isNotDone();
        assertThat(q.bytes()).isEqualTo(10);
    }

    @Test
    void failAllEmptiesTheQueueAndFailsEveryFuture() {
        OutboundQueue q = new OutboundQueue(1_000, 1);
        OutboundQueue.Entry a = q.offer(seq -> frame(10), 10);
        OutboundQueue.Entry b = q.offer(seq -> frame(10), 10);
        q.takeSendable();
        assertThat(q.failAll(new PeerUnavailableException("down"))).isEqualTo(2);
        assertThat(q.bytes()).isZero();
        assertThat(a.acked()).isCompletedExceptionally();
        assertThat(b.acked()).failsWithin(java.time.Duration.ZERO).withThrowableOfType(
                java.util.concurrent.ExecutionException.class).withCauseInstanceOf(PeerUnavailableException.class);
        assertThat(q.offer(seq -> frame(1_000), 1_000)).isNotNull();
    }

    @Test
    void deltaFramesRoundTripThroughTheirWireForm() throws Exception {
        List<DeltaEnvelope> batch = List.of(
                new DeltaEnvelope(0, 12182, "foo".getBytes(), new io.hyperkv.crdt.Stamp(123456789L, -5L),
                        new byte[] {0, 1, (byte) 0xff}, Origin.LIVE),
                new DeltaEnvelope(15, 0, new byte[0], new io.hyperkv.crdt.Stamp(1, 2), new byte[0], Origin.HINT));
        byte[] wire = BusNode.encodeDeltas(77, batch);
        io.hyperkv.resp.RespDecoder decoder = new io.hyperkv.resp.RespDecoder(BusFrames.ESTABLISHED_LIMITS);
        List<byte[][]> frames = new java.util.ArrayList<>();
        decoder.decode(wire, frames::add);
        assertThat(frames).hasSize(1);
        assertThat(BusFrames.parseLong(frames.get(0), 1, "seq")).isEqualTo(77);
        assertThat(BusNode.decodeDeltas(frames.get(0))).isEqualTo(batch);
    }
}
