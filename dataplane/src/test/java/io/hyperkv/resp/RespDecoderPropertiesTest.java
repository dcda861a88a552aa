package io.hyperkv.resp;

import static io.hyperkv.resp.Commands.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class RespDecoderPropertiesTest {

    /** A command and how the client sent it. */
    record Sent(List<String> args, boolean inline) {
        byte[] wire() {
            return inline ? bytes(String.join(" ", args) + "\r\n") : Commands.multibulk(args);
        }
    }

    @Provide
    Arbitrary<List<Sent>> pipelines() {
        Arbitrary<String> anyBytes = Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(40);
        Arbitrary<String> word = Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12);
        Arbitrary<Sent> multibulk = anyBytes.list().ofMinSize(1).ofMaxSize(5).map(a -> new Sent(a, false));
        Arbitrary<Sent> inline = word.list().ofMinSize(1).ofMaxSize(5).map(a -> new Sent(a, true));
        return Arbitraries.oneOf(multibulk, inline).list().ofMinSize(1).ofMaxSize(6);
    }

    private static byte[] wire(List<Sent> pipeline) {
        List<byte[]> parts = new ArrayList<>();
        pipeline.forEach(s -> parts.add(s.wire()));
        return Commands.concat(parts);
    }

    private static List<List<String>> expected(List<Sent> pipeline) {
        return pipeline.stream().map(Sent::args).toList();
    }

    @Property(tries = 200)
    void pipelineSplitAtEveryByteBoundaryGivesTheSameCommands(@ForAll("pipelines") List<Sent> pipeline)
            throws Exception {
        byte[] wire = wire(pipeline);
        for (int cut = 0; cut <= wire.length; cut++) {
            RespDecoder decoder = new RespDecoder(RespLimits.defaults());
            Commands sink = new Commands();
            decoder.decode(wire, 0, cut, sink);
            decoder.decode(wire, cut, wire.length - cut, sink);
            assertThat(sink.received).as("split at %d", cut).isEqualTo(expected(pipeline));
            assertThat(decoder.bufferedBytes()).isZero();
        }
    }

    @Property(tries = 200)
    void pipelineFedByteByByteOrInRandomChunksGivesTheSameCommands(
            @ForAll("pipelines") List<Sent> pipeline, @ForAll @IntRange(min = 1, max = 17) int chunk) throws Exception {
        byte[] wire = wire(pipeline);
        RespDecoder oneByOne = new RespDecoder(RespLimits.defaults());
        RespDecoder chunked = new RespDecoder(RespLimits.defaults());
        Commands a = new Commands();
        Commands b = new Commands();
        for (int i = 0; i < wire.length; i++) {
            oneByOne.decode(wire, i, 1, a);
        }
        for (int i = 0; i < wire.length; i += chunk) {
            chunked.decode(wire, i, Math.min(chunk, wire.length - i), b);
        }
        assertThat(a.received).isEqualTo(expected(pipeline));
        assertThat(b.received).isEqualTo(expected(pipeline));
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
        // Bytes drawn mostly from the protocol's own alphabet reach deeper states than uniform noise does.
        Arbitrary<byte[]> protocolish = Arbitraries.of((byte) '*', (byte) '$', (byte) '\r', (byte) '\n', (byte) '-',
                        (byte) '0', (byte) '1', (byte) '2', (byte) '9', (byte) '"', (byte) '\'', (byte) '\\',
                        (byte) ' ', (byte) 'x', (byte) 0)
                .array(byte[].class).ofMaxSize(400);
        Arbitrary<byte[]> mutated = Combinators.combine(pipelines(), Arbitraries.integers().between(0, 1000),
                        Arbitraries.bytes())
                .as((p, where, with) -> {
                    byte[] w = wire(p);
                    w[where % w.length] = with;
                    return w;
                });
        return Arbitraries.oneOf(random, protocolish, mutated);
    }

    @Property(tries = 1000)
    void garbageOnlyEverRaisesProtocolErrorsAndStaysWithinMemoryBounds(
            @ForAll("garbage") byte[] input, @ForAll @IntRange(min = 1, max = 64) int chunk,
            @ForAll boolean tightLimits, @ForAll boolean authenticated) {
        RespLimits limits = tightLimits ? new RespLimits(32, 8, 24) : RespLimits.defaults();
        RespDecoder decoder = new RespDecoder(limits);
        decoder.authenticated(authenticated);
        Commands sink = new Commands();
        long fed = 0;
        try {
            for (int i = 0; i < input.length; i += chunk) {
                int n = Math.min(chunk, input.length - i);
                decoder.decode(input, i, n, sink);
                fed += n;
                assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo((int) fed);
                // Held memory follows the bytes received, never a declared length: at most a 16 KB preallocated
                // bulk, the first 1024 argument slots and a small line buffer beyond twice the input.
                assertThat(decoder.retainedCapacity()).isLessThanOrEqualTo(2 * fed + 16 * 1024 + 8 * 1024 + 128);
            }
        } catch (RespProtocolException e) {
            assertThat(e.getMessage()).startsWith("Protocol error: ");
            assertThat(decoder.bufferedBytes()).isZero();
        }
        for (List<String> command : sink.received) {
            assertThat(command).isNotEmpty();
            if (tightLimits) {
                assertThat(command.size()).isLessThanOrEqualTo(8);
                command.forEach(arg -> assertThat(arg.length()).isLessThanOrEqualTo(32));
            }
        }
    }

    @Property(tries = 300)
    void errorsDoNotDependOnHowTheBytesWereSplit(@ForAll("garbage") byte[] input,
            @ForAll @Size(max = 3) List<@IntRange(min = 0, max = 400) Integer> cuts) {
        Outcome whole = run(input, List.of());
        Outcome split = run(input, cuts);
        assertThat(split).isEqualTo(whole);
    }

    record Outcome(List<List<String>> commands, String error) {}

    private static Outcome run(byte[] input, List<Integer> cuts) {
        RespDecoder decoder = new RespDecoder(new RespLimits(32, 8, 24));
        Commands sink = new Commands();
        List<Integer> points = new ArrayList<>(cuts.stream().filter(c -> c < input.length).sorted().toList());
        points.add(input.length);
        int from = 0;
        try {
            for (int to : points) {
                decoder.decode(input, from, to - from, sink);
                from = to;
            }
            return new Outcome(sink.received, null);
        } catch (RespProtocolException e) {
            return new Outcome(sink.received, e.getMessage());
        }
    }
}
