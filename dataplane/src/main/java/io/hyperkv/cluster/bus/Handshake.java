package io.hyperkv.cluster.bus;

import static io.hyperkv.cluster.bus.BusFrames.ascii;
import static io.hyperkv.cluster.bus.BusFrames.text;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bus handshake of one connection, as a state machine with no I/O: mutual HMAC-SHA256 challenge-response on the
 * cluster secret, which also exchanges each side's {@link PeerHello}.
 *
 * <pre>
 * dialer (client)                                   listener (server)
 *   HKV.HELLO 1 nonceC id announce port epoch  -->
 *                                               <--  HKV.CHALLENGE nonceS id announce port epoch proofS
 *   HKV.AUTH proofC                            -->
 *                                               <--  HKV.WELCOME
 * proofS = HMAC(secret, "HKV1 server" + transcript), proofC = HMAC(secret, "HKV1 client" + transcript)
 * transcript = every field of HELLO and CHALLENGE except the proofs, each length-prefixed
 * </pre>
 *
 * <p>Invariants, and why:
 * <ul>
 *   <li>The secret never leaves the node; only MACs over fresh 32-byte nonces from both sides do. Each proof covers
 *       both nonces, so a CHALLENGE or AUTH recorded on one connection proves nothing on another (the other side's
 *       nonce differs), and the distinct labels stop a peer from reflecting a server proof back as a client proof.</li>
 *   <li>Both hellos are inside the transcript, so the node ids, addresses and epochs are authenticated too.</li>
 *   <li>Proofs are compared in constant time ({@link MessageDigest#isEqual}).</li>
 *   <li>Any unexpected or malformed message, or a wrong proof, moves to {@link Status#FAILED} for good, with a reason
 *       safe to log and to send to the peer in an {@code HKV.ERROR}; the caller then closes the connection.</li>
 * </ul>
 * The handshake does not bind the TCP channel (there is no TLS), so an attacker on the path can relay a whole session;
 * it cannot take part without the secret.
 *
 * <p>Not thread-safe: one per connection, driven from the connection's thread.
 */
public final class Handshake {

    /** Bump when the message shapes change. */
    public static final String VERSION = "1";

    static final int NONCE_BYTES = 32;

    public enum Role { CLIENT, SERVER }

    public enum Status { AWAITING, ESTABLISHED, FAILED }

    /**
     * What one received message did: the message to send back (or null), and the status after it. When
     * {@link Status#ESTABLISHED}, {@code peer} says who the other side is; when {@link Status#FAILED}, {@code reason}
     * says why and {@code reply} is the {@code HKV.ERROR} to send before closing.
     */
    public record Step(Status status, byte[][] reply, PeerHello peer, String reason) {
    }

    private static final HexFormat HEX = HexFormat.of();

    private final Role role;
    private final SecretKeySpec key;
    private final PeerHello self;
    private final byte[] ownNonce;
    private Status status = Status.AWAITING;
    private byte[][] helloArgv;
    private byte[][] challengeArgv;
    private PeerHello peer;
    private String failure;

    private Handshake(Role role, String secret, PeerHello self, Supplier<byte[]> nonces) {
        this.role = role;
        this.key = new SecretKeySpec(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8),
                "HmacSHA256");
        this.self = Objects.requireNonNull(self, "self");
        this.ownNonce = nonces.get();
        if (ownNonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("a nonce has " + NONCE_BYTES + " bytes");
        }
    }

    /** The dialing side; send {@link #opening()} first. */
    public static Handshake client(String secret, PeerHello self, Supplier<byte[]> nonces) {
        return new Handshake(Role.CLIENT, secret, self, nonces);
    }

    /** The accepting side; it speaks only when the client's HELLO arrives. */
    public static Handshake server(String secret, PeerHello self, Supplier<byte[]> nonces) {
        return new Handshake(Role.SERVER, secret, self, nonces);
    }

    public Role role() {
        return role;
    }

    public Status status() {
        return status;
    }

    /** The other side, once established. */
    public PeerHello peer() {
        return peer;
    }

    /** The client's first message; null for a server. */
    public byte[][] opening() {
        if (role != Role.CLIENT) {
            return null;
        }
        helloArgv = new byte[][] {ascii(BusFrames.HELLO), ascii(VERSION), ascii(HEX.formatHex(ownNonce)),
                ascii(self.id().hex()), ascii(self.announce().toString()), ascii(Integer.toString(self.clientPort())),
                ascii(Long.toString(self.epoch()))};
        return helloArgv;
    }

    /** Feeds one received message. */
    public Step receive(byte[][] argv) {
        if (status == Status.FAILED) {
            return new Step(Status.FAILED, null, null, failure);
        }
        try {
            if (status == Status.ESTABLISHED) {
                throw new BusProtocolException("handshake already complete, got " + BusFrames.verb(argv));
            }
            return role == Role.CLIENT ? clientReceive(argv) : serverReceive(argv);
        } catch (BusProtocolException e) {
            status = Status.FAILED;
            failure = e.getMessage();
            return new Step(Status.FAILED, new byte[][] {ascii(BusFrames.ERROR), ascii(failure)}, null, failure);
        }
    }

    private Step serverReceive(byte[][] argv) throws BusProtocolException {
        remoteError(argv);
        if (helloArgv == null) {
            expect(argv, BusFrames.HELLO, 7);
            if (!VERSION.equals(text(argv[1]))) {
                throw new BusProtocolException("unsupported bus protocol version \"" + printable(argv[1])
                        + "\", this node speaks " + VERSION);
            }
            nonce(argv[2]);
            PeerHello client = hello(argv, 3);
            helloArgv = argv;
            challengeArgv = new byte[][] {ascii(BusFrames.CHALLENGE), ascii(HEX.formatHex(ownNonce)),
                    ascii(self.id().hex()), ascii(self.announce().toString()),
                    ascii(Integer.toString(self.clientPort())), ascii(Long.toString(self.epoch()))};
            byte[] proof = mac("HKV1 server");
            byte[][] reply = new byte[challengeArgv.length + 1][];
            System.arraycopy(challengeArgv, 0, reply, 0, challengeArgv.length);
            reply[challengeArgv.length] = ascii(HEX.formatHex(proof));
            peer = client;
            return new Step(Status.AWAITING, reply, null, null);
        }
        expect(argv, BusFrames.AUTH, 2);
        if (!MessageDigest.isEqual(mac("HKV1 client"), proof(argv[1]))) {
            throw new BusProtocolException("authentication failed: the peer did not prove the cluster secret"
                    + " (check hyperkv.cluster.secret on both nodes)");
        }
        status = Status.ESTABLISHED;
        return new Step(Status.ESTABLISHED, new byte[][] {ascii(BusFrames.WELCOME)}, peer, null);
    }

    private Step clientReceive(byte[][] argv) throws BusProtocolException {
        if (helloArgv == null) {
            throw new BusProtocolException("the client must send HKV.HELLO first");
        }
        if (challengeArgv == null) {
            remoteError(argv);
            expect(argv, BusFrames.CHALLENGE, 7);
            nonce(argv[1]);
            PeerHello server = hello(argv, 2);
            challengeArgv = java.util.Arrays.copyOf(argv, 6);
            if (!MessageDigest.isEqual(mac("HKV1 server"), proof(argv[6]))) {
                throw new BusProtocolException("authentication failed: the peer did not prove the cluster secret"
                        + " (check hyperkv.cluster.secret on both nodes)");
            }
            peer = server;
            return new Step(Status.AWAITING, new byte[][] {ascii(BusFrames.AUTH),
                    ascii(HEX.formatHex(mac("HKV1 client")))}, null, null);
        }
        remoteError(argv);
        expect(argv, BusFrames.WELCOME, 1);
        status = Status.ESTABLISHED;
        return new Step(Status.ESTABLISHED, null, peer, null);
    }

    private static void remoteError(byte[][] argv) throws BusProtocolException {
        if (BusFrames.ERROR.equalsIgnoreCase(text(argv[0]))) {
            throw new BusProtocolException("the peer refused the handshake: "
                    + (argv.length > 1 ? printable(argv[1]) : "(no reason)"));
        }
    }

    private static void expect(byte[][] argv, String verb, int length) throws BusProtocolException {
        if (!verb.equalsIgnoreCase(text(argv[0]))) {
            throw new BusProtocolException("expected " + verb + ", got \"" + BusFrames.verb(argv) + "\"");
        }
        if (argv.length != length) {
            throw new BusProtocolException(verb + " has " + argv.length + " elements, expected " + length);
        }
    }

    private static byte[] nonce(byte[] hex) throws BusProtocolException {
        byte[] n = unhex(hex, "nonce");
        if (n.length != NONCE_BYTES) {
            throw new BusProtocolException("the nonce has " + n.length + " bytes, expected " + NONCE_BYTES);
        }
        return n;
    }

    private static byte[] proof(byte[] hex) throws BusProtocolException {
        return unhex(hex, "proof");
    }

    private static byte[] unhex(byte[] hex, String what) throws BusProtocolException {
        try {
            return HEX.parseHex(text(hex));
        } catch (IllegalArgumentException e) {
            throw new BusProtocolException("the " + what + " is not hexadecimal");
        }
    }

    private static PeerHello hello(byte[][] argv, int from) throws BusProtocolException {
        try {
            NodeId id = NodeId.parse(text(argv[from]));
            PeerAddress announce = PeerAddress.parse(text(argv[from + 1]));
            int port = (int) BusFrames.parseLong(argv, from + 2, "client port");
            long epoch = BusFrames.parseLong(argv, from + 3, "epoch");
            return new PeerHello(id, announce, port, epoch);
        } catch (IllegalArgumentException e) {
            throw new BusProtocolException(BusFrames.verb(argv) + " is malformed: " + e.getMessage());
        }
    }

    /** HMAC over the label and the length-prefixed fields of HELLO and CHALLENGE (without proofs). */
    private byte[] mac(String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(ascii(label));
            for (byte[][] message : new byte[][][] {helloArgv, challengeArgv}) {
                for (int i = 1; i < message.length && i < 7; i++) {
                    byte[] field = message[i];
                    mac.update(new byte[] {(byte) (field.length >>> 24), (byte) (field.length >>> 16),
                            (byte) (field.length >>> 8), (byte) field.length});
                    mac.update(field);
                }
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static String printable(byte[] b) {
        String s = text(b);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 200; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
