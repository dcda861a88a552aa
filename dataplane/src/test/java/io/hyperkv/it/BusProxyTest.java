package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BusProxy} in front of a real TCP echo server on loopback. */
class BusProxyTest {

    private ServerSocket echo;
    private final Set<Socket> echoed = ConcurrentHashMap.newKeySet();
    private BusProxy proxy;

    @BeforeEach
    void echoServerBehindAProxy() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    echoed.add(s);
                    Thread t = new Thread(() -> echoLoop(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = BusProxy.start(echo.getLocalPort());
    }

    private static void echoLoop(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // the test closed it
        }
    }

    @AfterEach
    void closeAll() throws IOException {
        proxy.close();
        echo.close();
        for (Socket s : echoed) {
            s.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 5_000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String receive(Socket s, int length) throws IOException {
        byte[] got = s.getInputStream().readNBytes(length);
        return new String(got, StandardCharsets.US_ASCII);
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            send(s, "*1\r\n$4\r\nPING\r\n");
            assertThat(receive(s, 14)).isEqualTo("*1\r\n$4\r\nPING\r\n");
        }
    }

    @Test
    void blackholeDeliversNothingUntilHealedThenEverythingInOrder() throws IOException {
        try (Socket s = connect()) {
            send(s, "before|");
            assertThat(receive(s, 7)).isEqualTo("before|");

            proxy.mode(BusProxy.Mode.BLACKHOLE);
            send(s, "during-1|");
            send(s, "during-2|");
            s.setSoTimeout(500);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            try (Socket late = connect()) {
                send(late, "late|");
                late.setSoTimeout(300);
                assertThatThrownBy(() -> late.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

                proxy.mode(BusProxy.Mode.PASS);
                s.setSoTimeout(10_000);
                late.setSoTimeout(10_000);
                assertThat(receive(s, 18)).isEqualTo("during-1|during-2|");
                assertThat(receive(late, 5)).isEqualTo("late|");
            }
            send(s, "after|");
            assertThat(receive(s, 6)).isEqualTo("after|");
        }
    }

    /** A bus HELLO as a node sends it first: {@code HKV.HELLO 1 nonce id announce client-port epoch}. */
    private static String hello(String id) {
        StringBuilder frame = new StringBuilder("*7\r\n");
        for (String field : new String[] {"HKV.HELLO", "1", "n0nce", id, "127.0.0.1:1", "6379", "1"}) {
            frame.append('$').append(field.length()).append("\r\n").append(field).append("\r\n");
        }
        return frame.toString();
    }

    @Test
    void aCutDialerIsHeldInBothDirectionsWhileOtherDialersPass() throws IOException {
        try (Socket cut = connect(); Socket other = connect()) {
            String helloA = hello("node-a");
            String helloB = hello("node-b");
            send(cut, helloA);
            send(other, helloB);
            assertThat(receive(cut, helloA.length())).isEqualTo(helloA);
            assertThat(receive(other, helloB.length())).isEqualTo(helloB);

            proxy.blackholeDialer("node-a");
            send(cut, "held|");
            send(other, "flows|");
            assertThat(receive(other, 6)).isEqualTo("flows|");
            cut.setSoTimeout(500);
            assertThatThrownBy(() -> cut.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            try (Socket redial = connect()) {
                send(redial, helloA);
                redial.setSoTimeout(300);
                assertThatThrownBy(() -> redial.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

                proxy.passDialers();
                cut.setSoTimeout(10_000);
                redial.setSoTimeout(10_000);
                assertThat(receive(cut, 5)).isEqualTo("held|");
                assertThat(receive(redial, helloA.length())).isEqualTo(helloA);
            }
            assertThat(proxy.mode()).isEqualTo(BusProxy.Mode.PASS);
        }
    }

    @Test
    void onlyTheHelloNamesTheDialerNotWhatItSendsLater() throws IOException {
        // node-b's link names node-a right after its HELLO (as a topology document does): cutting node-a leaves it alone
        try (Socket b = connect(); Socket c = connect()) {
            String opening = hello("node-b") + "*2\r\n$12\r\nHKV.TOPOLOGY\r\n$6\r\nnode-a\r\n";
            send(b, opening);
            assertThat(receive(b, opening.length())).isEqualTo(opening);
            String noHello = "node-a but no HELLO|";
            send(c, noHello);
            assertThat(receive(c, noHello.length())).isEqualTo(noHello);

            proxy.blackholeDialer("node-a");
            send(b, "flows|");
            assertThat(receive(b, 6)).isEqualTo("flows|");
            send(c, "flows|");
            assertThat(receive(c, 6)).isEqualTo("flows|");
        }
    }

    @Test
    void aHelloSplitAcrossWritesStillNamesItsDialer() throws IOException {
        try (Socket cut = connect()) {
            String helloA = hello("node-a");
            int half = helloA.length() / 2;
            send(cut, helloA.substring(0, half));
            assertThat(receive(cut, half)).isEqualTo(helloA.substring(0, half));
            send(cut, helloA.substring(half));
            assertThat(receive(cut, helloA.length() - half)).isEqualTo(helloA.substring(half));

            proxy.blackholeDialer("node-a");
            send(cut, "held|");
            cut.setSoTimeout(500);
            assertThatThrownBy(() -> cut.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void resetCutsOpenConnectionsAndRefusesNewOnesUntilPassAgain() throws IOException {
        try (Socket s = connect()) {
            send(s, "x");
            assertThat(receive(s, 1)).isEqualTo("x");
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openSockets() == 2);

            proxy.mode(BusProxy.Mode.RESET);
            assertThatThrownBy(() -> {
                send(s, "y");
                s.getInputStream().read();
            }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            await().atMost(Duration.ofSeconds(10)).until(() -> proxy.openSockets() == 0);
        }
        // The reset may come while connecting or at the first read, as from a peer's kernel.
        assertThatThrownBy(() -> {
            try (Socket refused = connect()) {
                send(refused, "z");
                refused.getInputStream().read();
            }
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        proxy.mode(BusProxy.Mode.PASS);
        try (Socket again = connect()) {
            send(again, "ok");
            assertThat(receive(again, 2)).isEqualTo("ok");
        }
    }
}
