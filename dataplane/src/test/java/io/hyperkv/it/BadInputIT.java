package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Malformed and hostile RESP over a raw socket against a packaged node. Each violation gets
 * Redis's own protocol error text and closes only that connection; the server keeps serving other
 * clients, keeps its memory bounded, and earlier data stays intact. Expected texts are what
 * redis-server 7 sends for the same bytes.
 */
class BadInputIT {

    private static final int READ_TIMEOUT_MS = 30_000;
    private static ServerProcess node;
    private static long rssBefore;

    @BeforeAll
    static void startNode() {
        node = ServerProcess.start();
        try (Jedis jedis = jedis()) {
            jedis.set("bad:sentinel", "intact");
        }
        rssBefore = node.rssBytes();
    }

    @AfterAll
    static void checkNodeSurvivedEverythingAndStop() {
        try {
            long rssAfter = node.rssBytes();
            System.out.printf("bad input: node RSS before=%d MiB after=%d MiB%n", rssBefore >> 20, rssAfter >> 20);
            assertThat(node.alive()).isTrue();
            try (Jedis jedis = jedis()) {
                assertThat(jedis.ping()).isEqualTo("PONG");
                assertThat(jedis.get("bad:sentinel")).isEqualTo("intact");
            }
            // A declared 1 GB bulk must never be allocated; growth stays well under that.
            assertThat(rssAfter - rssBefore).as("RSS growth in bytes").isLessThan(384L << 20);
        } finally {
            node.close();
        }
    }

    @Test
    void multibulkCountBeyondIntRangeIsRefused() throws IOException {
        assertProtocolError("*2147483648\r\n", "invalid multibulk length");
    }

    @Test
    void nonNumericMultibulkCountIsRefused() throws IOException {
        assertProtocolError("*abc\r\n", "invalid multibulk length");
    }

    @Test
    void negativeBulkLengthInsideMultibulkIsRefused() throws IOException {
        assertProtocolError("*2\r\n$-2\r\n", "invalid bulk length");
    }

    @Test
    void declaredOneGigabyteBulkIsRefusedWithoutAllocatingIt() throws IOException {
        assertProtocolError("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1073741824\r\nabc", "invalid bulk length");
    }

    @Test
    void inlineRequestOver64KbWithoutNewlineIsRefused() throws IOException {
        byte[] inline = new byte[70 * 1024];
        Arrays.fill(inline, (byte) 'a');
        assertProtocolError(inline, "too big inline request");
    }

    @Test
    void commandsBeforeTheBadBytesAreAnsweredThenTheErrorIsSent() throws IOException {
        try (Socket s = socket()) {
            s.getOutputStream().write("SET bad:before ok\r\nPING\r\n*abc\r\nSET bad:after no\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("+OK\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
        }
        try (Jedis jedis = jedis()) {
            assertThat(jedis.get("bad:before")).isEqualTo("ok");
            assertThat(jedis.get("bad:after")).as("nothing after the bad bytes runs").isNull();
        }
    }

    @Test
    void truncatedFrameWaitsForTheRestWhileOthersAreServed() throws IOException {
        try (Socket s = socket()) {
            s.getOutputStream().write("*3\r\n$3\r\nSET\r\n$9\r\nbad:trunc\r\n$5\r\nhel".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            try (Jedis other = jedis()) {
                assertThat(other.ping()).isEqualTo("PONG");
                assertThat(other.get("bad:trunc")).isNull();
            }
            s.getOutputStream().write("lo\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(s.getInputStream())).isEqualTo("+OK");
        }
        try (Jedis jedis = jedis()) {
            assertThat(jedis.get("bad:trunc")).isEqualTo("hello");
        }
        // A client that vanishes mid-frame leaves nothing behind that breaks the server.
        try (Socket s = socket()) {
            s.getOutputStream().write("*2\r\n$4\r\nECHO\r\n$100\r\nonly-part".getBytes(StandardCharsets.US_ASCII));
        }
        try (Jedis jedis = jedis()) {
            assertThat(jedis.echo("still here")).isEqualTo("still here");
        }
    }

    @Test
    void hundredThousandPipelinedCommandsInOneWriteAreAllAnswered() throws Exception {
        int n = 100_000;
        byte[] one = "*2\r\n$4\r\nINCR\r\n$12\r\nbad:pipeline\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[one.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        try (Socket s = socket()) {
            // Write from a second thread: the server may stop reading (backpressure) until we read replies.
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(all);
                    s.getOutputStream().flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            String last = null;
            for (int i = 1; i <= n; i++) {
                last = readLine(in);
                if (!last.equals(":" + i)) {
                    throw new AssertionError("reply " + i + " was " + last);
                }
            }
            assertThat(last).isEqualTo(":" + n);
            writer.join();
        }
    }

    private static void assertProtocolError(String bytes, String redisText) throws IOException {
        assertProtocolError(bytes.getBytes(StandardCharsets.US_ASCII), redisText);
    }

    /** The whole answer is exactly Redis's error line, then the server closes the connection. */
    private static void assertProtocolError(byte[] bytes, String redisText) throws IOException {
        try (Socket s = socket()) {
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("-ERR Protocol error: " + redisText + "\r\n");
        }
        try (Jedis other = jedis()) {
            assertThat(other.ping()).isEqualTo("PONG");
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
            }
            line.write(b);
        }
        throw new IOException("connection closed after: " + line);
    }

    private static Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", node.respPort());
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    private static Jedis jedis() {
        return new Jedis("127.0.0.1", node.respPort());
    }
}
