package io.hyperkv.cluster.bus;

import static io.hyperkv.cluster.bus.BusFrames.argv;
import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    private static final String SECRET = "correct horse battery staple";
    private static final PeerHello CLIENT = new PeerHello(new NodeId(0x1111L), new PeerAddress("127.0.0.1", 17001),
            7001, 0);
    private static final PeerHello SERVER = new PeerHello(new NodeId(0x2222L), new PeerAddress("127.0.0.1", 17002),
            7002, 5);

    private final Random random = new Random(42);
    private final Supplier<byte[]> nonces = () -> {
        byte[] n = new byte[Handshake.NONCE_BYTES];
        random.nextBytes(n);
        return n;
    };

    @Test
    void theSameSecretEstablishesBothSidesAndTellsEachWhoTheOtherIs() {
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server(SECRET, SERVER, nonces);

        Handshake.Step challenge = server.receive(client.opening());
        assertThat(challenge.status()).isEqualTo(Handshake.Status.AWAITING);
        Handshake.Step auth = client.receive(challenge.reply());
        assertThat(auth.status()).isEqualTo(Handshake.Status.AWAITING);
        Handshake.Step welcome = server.receive(auth.reply());
        assertThat(welcome.status()).isEqualTo(Handshake.Status.ESTABLISHED);
        assertThat(welcome.peer()).isEqualTo(CLIENT);
        Handshake.Step done = client.receive(welcome.reply());
        assertThat(done.status()).isEqualTo(Handshake.Status.ESTABLISHED);
        assertThat(done.peer()).isEqualTo(SERVER);
    }

    @Test
    void theSecretItselfIsNeverSent() {
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server(SECRET, SERVER, nonces);
        byte[][] hello = client.opening();
        byte[][] challenge = server.receive(hello).reply();
        byte[][] auth = client.receive(challenge).reply();
        for (byte[][] message : new byte[][][] {hello, challenge, auth}) {
            assertThat(new String(BusFrames.encode(message))).doesNotContain(SECRET);
        }
    }

    @Test
    void aServerWithAnotherSecretIsRefusedByTheClient() {
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server("another secret of enough length", SERVER, nonces);
        Handshake.Step step = client.receive(server.receive(client.opening()).reply());
        assertThat(step.status()).isEqualTo(Handshake.Status.FAILED);
        assertThat(step.reason()).contains("did not prove the cluster secret");
        assertThat(BusFrames.text(step.reply()[0])).isEqualTo(BusFrames.ERROR);
        assertThat(client.status()).isEqualTo(Handshake.Status.FAILED);
    }

    @Test
    void aClientWithAnotherSecretIsRefusedByTheServer() {
        // The client must not learn from the server's proof before sending its own, so here a client with the wrong
        // secret answers with a proof made under that secret (it ignores its own check, as an attacker would).
        Handshake honest = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server(SECRET, SERVER, nonces);
        byte[][] challenge = server.receive(honest.opening()).reply();
        byte[][] forged = argv(BusFrames.AUTH, "00".repeat(32));
        Handshake.Step step = server.receive(forged);
        assertThat(step.status()).isEqualTo(Handshake.Status.FAILED);
        assertThat(step.reason()).contains("did not prove the cluster secret");
        assertThat(challenge).isNotNull();
    }

    @Test
    void aChallengeReplayedFromAnEarlierConnectionIsRefused() {
        Handshake first = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server(SECRET, SERVER, nonces);
        byte[][] recorded = server.receive(first.opening()).reply();
        assertThat(first.receive(recorded).status()).isEqualTo(Handshake.Status.AWAITING);

        Handshake second = Handshake.client(SECRET, CLIENT, nonces);
        second.opening();
        Handshake.Step step = second.receive(recorded);
        assertThat(step.status()).isEqualTo(Handshake.Status.FAILED);
        assertThat(step.reason()).contains("did not prove the cluster secret");
    }

    @Test
    void anAuthReplayedFromAnEarlierConnectionIsRefused() {
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        byte[][] hello = client.opening();
        Handshake first = Handshake.server(SECRET, SERVER, nonces);
        byte[][] recordedAuth = client.receive(first.receive(hello).reply()).reply();
        assertThat(first.receive(recordedAuth).status()).isEqualTo(Handshake.Status.ESTABLISHED);

        Handshake second = Handshake.server(SECRET, SERVER, nonces);
        second.receive(hello);
        Handshake.Step step = second.receive(recordedAuth);
        assertThat(step.status()).isEqualTo(Handshake.Status.FAILED);
    }

    @Test
    void aServerProofCannotBeReflectedAsAClientProof() {
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server(SECRET, SERVER, nonces);
        byte[][] challenge = server.receive(client.opening()).reply();
        Handshake.Step step = server.receive(new byte[][] {BusFrames.ascii(BusFrames.AUTH), challenge[6]});
        assertThat(step.status()).isEqualTo(Handshake.Status.FAILED);
    }

    @Test
    void tamperedHelloFieldsBreakTheProof() {
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        Handshake server = Handshake.server(SECRET, SERVER, nonces);
        byte[][] challenge = server.receive(client.opening()).reply();
        byte[][] tampered = Arrays.copyOf(challenge, challenge.length);
        tampered[5] = BusFrames.ascii("99"); // the epoch
        assertThat(client.receive(tampered).status()).isEqualTo(Handshake.Status.FAILED);
    }

    @Test
    void garbageBeforeOrDuringTheHandshakeFailsWithAMessageSayingWhatWasExpected() {
        assertThat(Handshake.server(SECRET, SERVER, nonces).receive(argv("GET", "k")).reason())
                .isEqualTo("expected HKV.HELLO, got \"GET\"");
        assertThat(Handshake.server(SECRET, SERVER, nonces).receive(argv(BusFrames.HELLO, "1")).reason())
                .isEqualTo("HKV.HELLO has 2 elements, expected 7");
        assertThat(Handshake.server(SECRET, SERVER, nonces)
                .receive(argv(BusFrames.HELLO, "2", "00", "1", "h:1", "1", "0")).reason())
                .contains("unsupported bus protocol version \"2\"");
        assertThat(Handshake.server(SECRET, SERVER, nonces)
                .receive(argv(BusFrames.HELLO, "1", "zz", "1", "h:1", "1", "0")).reason())
                .isEqualTo("the nonce is not hexadecimal");
        assertThat(Handshake.server(SECRET, SERVER, nonces)
                .receive(argv(BusFrames.HELLO, "1", "ab", "1", "h:1", "1", "0")).reason())
                .isEqualTo("the nonce has 1 bytes, expected 32");
        assertThat(Handshake.server(SECRET, SERVER, nonces)
                .receive(argv(BusFrames.HELLO, "1", "ab".repeat(32), "nope", "h:1", "1", "0")).reason())
                .startsWith("HKV.HELLO is malformed: \"nope\" is not a node id");
        assertThat(Handshake.server(SECRET, SERVER, nonces)
                .receive(argv(BusFrames.HELLO, "1", "ab".repeat(32), "0000000000000001", "h:1", "x", "0")).reason())
                .isEqualTo("HKV.HELLO has an invalid client port: \"x\"");

        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        client.opening();
        assertThat(client.receive(argv(BusFrames.ERROR, "go away")).reason())
                .isEqualTo("the peer refused the handshake: go away");
    }

    @Test
    void aFailedHandshakeStaysFailed() {
        Handshake server = Handshake.server(SECRET, SERVER, nonces);
        server.receive(argv("PING"));
        Handshake client = Handshake.client(SECRET, CLIENT, nonces);
        Handshake.Step step = server.receive(client.opening());
        assertThat(step.status()).isEqualTo(Handshake.Status.FAILED);
        assertThat(step.reply()).isNull();
    }
}
