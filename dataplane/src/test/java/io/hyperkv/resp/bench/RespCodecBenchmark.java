package io.hyperkv.resp.bench;

import io.hyperkv.resp.ByteArrayRespOutput;
import io.hyperkv.resp.CommandSink;
import io.hyperkv.resp.RespDecoder;
import io.hyperkv.resp.RespEncoder;
import io.hyperkv.resp.RespLimits;
import io.hyperkv.resp.RespProtocolException;
import io.hyperkv.resp.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The RESP hot path alone: decoding a burst of pipelined {@code SET}s as redis-benchmark sends them, whole or in
 * socket-sized reads, and encoding {@code GET}-style bulk replies. Scores are per command / per reply.
 *
 * <pre>
 * mvn -B -Pjmh -pl dataplane test-compile -Dquarkus.build.skip=true
 * java -cp "dataplane/target/test-classes:dataplane/target/classes:$(cat cp.txt)" org.openjdk.jmh.Main RespCodecBenchmark
 * </pre>
 * where {@code cp.txt} comes from {@code mvn -Pjmh -pl dataplane dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RespCodecBenchmark {

    private static final int COMMANDS = 1000;

    /** 0 decodes the whole burst in one call; otherwise the burst arrives in reads of this many bytes. */
    @Param({"0", "1460", "16384"})
    public int readSize;

    @Param({"32", "1024"})
    public int valueSize;

    private byte[] setBurst;
    private Reply[] bulkReplies;
    private final ByteArrayRespOutput out = new ByteArrayRespOutput(1 << 20);

    @Setup(Level.Trial)
    public void setUp() {
        byte[] value = new byte[valueSize];
        Arrays.fill(value, (byte) 'v');
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < COMMANDS; i++) {
            byte[] key = ("key:" + (100_000 + i)).getBytes(StandardCharsets.US_ASCII);
            write(burst, "*3\r\n$3\r\nSET\r\n$" + key.length + "\r\n");
            burst.writeBytes(key);
            write(burst, "\r\n$" + valueSize + "\r\n");
            burst.writeBytes(value);
            write(burst, "\r\n");
        }
        setBurst = burst.toByteArray();
        bulkReplies = new Reply[COMMANDS];
        for (int i = 0; i < COMMANDS; i++) {
            bulkReplies[i] = Reply.bulk(value.clone());
        }
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public void decodePipelinedSets(Blackhole bh) throws RespProtocolException {
        RespDecoder decoder = new RespDecoder(RespLimits.defaults());
        CommandSink sink = bh::consume;
        if (readSize == 0) {
            decoder.decode(setBurst, 0, setBurst.length, sink);
        } else {
            for (int off = 0; off < setBurst.length; off += readSize) {
                decoder.decode(setBurst, off, Math.min(readSize, setBurst.length - off), sink);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public int encodeBulkRepliesResp2() {
        out.reset();
        for (Reply reply : bulkReplies) {
            RespEncoder.encode(reply, 2, out);
        }
        return out.size();
    }

    @Benchmark
    @OperationsPerInvocation(COMMANDS)
    public int encodeStatusAndIntegerRepliesResp3() {
        out.reset();
        for (int i = 0; i < COMMANDS; i++) {
            RespEncoder.encode((i & 1) == 0 ? Reply.OK : Reply.integer(i * 1_000_003L), 3, out);
        }
        return out.size();
    }
}
