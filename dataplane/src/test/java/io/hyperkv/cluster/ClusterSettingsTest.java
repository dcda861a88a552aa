package io.hyperkv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterSettingsTest {

    private static final String SECRET = "s3cr3t-0123456789-abcdef";

    /** A valid cluster-mode configuration of a node on port 6379 with three static peers. */
    private static ClusterSettings.Raw valid() {
        return new ClusterSettings.Raw(true, 6379, OptionalInt.empty(),
                Optional.of("hkv-0.hkv:16379, hkv-1.hkv:16379,hkv-2.hkv:16379"), 3, "quorum", "one",
                Optional.of(SECRET), Optional.empty(), Optional.of("hkv-0.hkv"));
    }

    private static ClusterSettings.Raw with(UnaryOperator<Builder> change) {
        return change.apply(new Builder(valid())).raw;
    }

    @Test
    void aValidClusterConfigurationIsReadWithItsDefaults() {
        ClusterSettings s = ClusterSettings.of(valid());
        assertThat(s.enabled()).isTrue();
        assertThat(s.busPort()).isEqualTo(16379);
        assertThat(s.peers()).containsExactly(new PeerAddress("hkv-0.hkv", 16379), new PeerAddress("hkv-1.hkv", 16379),
                new PeerAddress("hkv-2.hkv", 16379));
        assertThat(s.replicationFactor()).isEqualTo(3);
        assertThat(s.writeConsistency()).isEqualTo(Consistency.QUORUM);
        assertThat(s.readConsistency()).isEqualTo(Consistency.ONE);
        assertThat(s.nodeId()).isEmpty();
        assertThat(s.announceHost()).contains("hkv-0.hkv");
    }

    @Test
    void aSingleNodeNeedsNoClusterKeys() {
        ClusterSettings s = ClusterSettings.of(new ClusterSettings.Raw(false, 6379, OptionalInt.empty(),
                Optional.empty(), 3, "quorum", "one", Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(s.enabled()).isFalse();
        assertThat(s.peers()).isEmpty();
        assertThat(s.secret()).isEmpty();
    }

    @Test
    void busPortDefaultsToPortPlusTenThousandOrAFreePortWhenTheRespPortIsFree() {
        assertThat(ClusterSettings.of(with(b -> b.respPort(7000))).busPort()).isEqualTo(17000);
        assertThat(ClusterSettings.of(with(b -> b.respPort(0))).busPort()).isZero();
        assertThat(ClusterSettings.of(with(b -> b.busPort(16400))).busPort()).isEqualTo(16400);
    }

    @Test
    void consistencyWordsIgnoreCaseAndQuorumIsAMajority() {
        ClusterSettings s = ClusterSettings.of(with(b -> b.write(" ALL ").read("Quorum")));
        assertThat(s.writeConsistency()).isEqualTo(Consistency.ALL);
        assertThat(s.readConsistency()).isEqualTo(Consistency.QUORUM);
        assertThat(Consistency.QUORUM.required(3)).isEqualTo(2);
        assertThat(Consistency.QUORUM.required(4)).isEqualTo(3);
        assertThat(Consistency.ALL.required(3)).isEqualTo(3);
        assertThat(Consistency.ONE.required(3)).isEqualTo(1);
    }

    @Test
    void peersTakeIpv6InBracketsAndIgnoreBlanks() {
        ClusterSettings s = ClusterSettings.of(with(b -> b.peers(" [fd00::5]:16379 ,127.0.0.1:16380").n(2)));
        assertThat(s.peers()).containsExactly(new PeerAddress("fd00::5", 16379), new PeerAddress("127.0.0.1", 16380));
        assertThat(s.peers().get(0)).hasToString("[fd00::5]:16379");
    }

    @Test
    void aConfiguredNodeIdIsReadInEitherForm() {
        assertThat(ClusterSettings.of(with(b -> b.nodeId("00000000000000000000000000000000000000A1"))).nodeId())
                .contains(new NodeId(0xa1));
        assertThat(ClusterSettings.of(with(b -> b.nodeId("00000000000000a1"))).nodeId()).contains(new NodeId(0xa1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no secret          | hyperkv.cluster.enabled=true needs hyperkv.cluster.secret",
        "short secret       | invalid hyperkv.cluster.secret (value hidden): it has 5 characters, at least 16",
        "blank secret       | hyperkv.cluster.enabled=true needs hyperkv.cluster.secret",
        "bad write word     | invalid hyperkv.cluster.write-consistency=\"majority\": must be one, quorum or all",
        "bad read word      | invalid hyperkv.cluster.read-consistency=\"\": must be one, quorum or all",
        "peer without port  | invalid hyperkv.cluster.peers=\"a:1,b\": \"b\" has no port (host:bus-port)",
        "peer port not int  | invalid hyperkv.cluster.peers=\"a:x\": \"a:x\" has no valid port: \"x\"",
        "peer port range    | invalid hyperkv.cluster.peers=\"a:70000\": \"a:70000\": port 70000 is outside 1..65535",
        "peer empty entry   | invalid hyperkv.cluster.peers=\"a:1,,b:2\": entry 2 is empty",
        "peer no host       | invalid hyperkv.cluster.peers=\":16379\": \":16379\" has no host",
        "peer bare ipv6     | an IPv6 address must be bracketed",
        "peer twice         | invalid hyperkv.cluster.peers=\"a:1,a:1\": a:1 is listed twice",
        "N above peers      | invalid hyperkv.cluster.replication-factor=\"4\": is greater than the 3 members",
        "N zero             | invalid hyperkv.cluster.replication-factor=\"0\": must be at least 1",
        "bus port is port   | invalid hyperkv.cluster.bus-port=\"6379\": is also hyperkv.port",
        "bus port range     | invalid hyperkv.cluster.bus-port=\"70000\": must be in 1..65535",
        "bus default > max  | its default, hyperkv.port + 10000 = 70000, is above 65535: set hyperkv.cluster.bus-port",
        "node id not hex    | invalid hyperkv.cluster.node-id=\"node-1\": \"node-1\" is not a node id (40 hexadecimal",
        "node id zero       | invalid hyperkv.cluster.node-id=\"0000000000000000\": 0 is reserved",
        "announce spaces    | invalid hyperkv.cluster.announce-host=\"a b\": must be a host name",
    })
    void aRefusedValueIsReportedWithItsKey(String problem, String message) {
        ClusterSettings.Raw raw = with(b -> switch (problem) {
            case "no secret" -> b.secret(null);
            case "short secret" -> b.secret("short");
            case "blank secret" -> b.secret("   ");
            case "bad write word" -> b.write("majority");
            case "bad read word" -> b.read("");
            case "peer without port" -> b.peers("a:1,b");
            case "peer port not int" -> b.peers("a:x");
            case "peer port range" -> b.peers("a:70000");
            case "peer empty entry" -> b.peers("a:1,,b:2");
            case "peer no host" -> b.peers(":16379");
            case "peer bare ipv6" -> b.peers("fd00::5:16379");
            case "peer twice" -> b.peers("a:1,a:1");
            case "N above peers" -> b.n(4);
            case "N zero" -> b.n(0);
            case "bus port is port" -> b.busPort(6379);
            case "bus port range" -> b.busPort(70000);
            case "bus default > max" -> b.respPort(60000);
            case "node id not hex" -> b.nodeId("node-1");
            case "node id zero" -> b.nodeId("0000000000000000");
            case "announce spaces" -> b.announce("a b");
            default -> throw new AssertionError(problem);
        });
        assertThatThrownBy(() -> ClusterSettings.of(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void timingsDefaultToOneSecondWaitAndHalfSecondTwoTenSecondDetector() {
        ClusterSettings.Timings t = ClusterSettings.of(valid()).timings();
        assertThat(t.replicaWait()).isEqualTo(Duration.ofSeconds(1));
        assertThat(t.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(t.suspectAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(t.downAfter()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void timingsAreTakenAsGivenInWholeMilliseconds() {
        ClusterSettings.Timings t = ClusterSettings.of(valid().withTimings(timings(250, 50, 300, 1_500))).timings();
        assertThat(t).isEqualTo(timings(250, 50, 300, 1_500));
        ClusterSettings.Timings fraction = ClusterSettings.of(valid().withTimings(new ClusterSettings.Timings(
                Duration.ofNanos(1_500_000), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300))))
                .timings();
        assertThat(fraction.replicaWait()).isEqualTo(Duration.ofMillis(1));
        assertThat(ClusterSettings.of(valid().withTimings(timings(60_000, 10, 11, 3_600_000))).timings().downAfter())
                .isEqualTo(Duration.ofHours(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "wait zero            | invalid hyperkv.cluster.replica-wait=\"0ms\": must be a positive duration",
        "wait negative        | invalid hyperkv.cluster.replica-wait=\"PT-1S\": must be a positive duration",
        "wait under 1 ms      | invalid hyperkv.cluster.replica-wait=\"PT0.0005S\": must be a positive duration",
        "wait above a minute  | invalid hyperkv.cluster.replica-wait=\"61s\": must be at most 1m",
        "wait above a day     | invalid hyperkv.cluster.replica-wait=\"PT48H\": must be at most 1 day",
        "heartbeat zero       | invalid hyperkv.cluster.heartbeat-interval=\"0ms\": must be a positive duration",
        "heartbeat too short  | invalid hyperkv.cluster.heartbeat-interval=\"5ms\": must be at least 10ms",
        "suspect = heartbeat  | invalid hyperkv.cluster.suspect-after=\"500ms\": must be longer than"
                + " hyperkv.cluster.heartbeat-interval (500ms)",
        "suspect < heartbeat  | invalid hyperkv.cluster.suspect-after=\"200ms\": must be longer than",
        "down = suspect       | invalid hyperkv.cluster.down-after=\"2s\": must be longer than"
                + " hyperkv.cluster.suspect-after (2s)",
        "down < suspect       | invalid hyperkv.cluster.down-after=\"1s\": must be longer than",
        "down above an hour   | invalid hyperkv.cluster.down-after=\"3601s\": must be at most 1h",
        "down negative        | invalid hyperkv.cluster.down-after=\"PT-10S\": must be a positive duration",
    })
    void aRefusedTimingIsReportedWithItsKey(String problem, String message) {
        ClusterSettings.Timings t = switch (problem) {
            case "wait zero" -> timings(0, 500, 2_000, 10_000);
            case "wait negative" -> new ClusterSettings.Timings(Duration.ofSeconds(-1), Duration.ofMillis(500),
                    Duration.ofSeconds(2), Duration.ofSeconds(10));
            case "wait under 1 ms" -> new ClusterSettings.Timings(Duration.ofNanos(500_000), Duration.ofMillis(500),
                    Duration.ofSeconds(2), Duration.ofSeconds(10));
            case "wait above a minute" -> timings(61_000, 500, 2_000, 10_000);
            case "wait above a day" -> new ClusterSettings.Timings(Duration.ofHours(48), Duration.ofMillis(500),
                    Duration.ofSeconds(2), Duration.ofSeconds(10));
            case "heartbeat zero" -> timings(1_000, 0, 2_000, 10_000);
            case "heartbeat too short" -> timings(1_000, 5, 2_000, 10_000);
            case "suspect = heartbeat" -> timings(1_000, 500, 500, 10_000);
            case "suspect < heartbeat" -> timings(1_000, 500, 200, 10_000);
            case "down = suspect" -> timings(1_000, 500, 2_000, 2_000);
            case "down < suspect" -> timings(1_000, 500, 2_000, 1_000);
            case "down above an hour" -> timings(1_000, 500, 2_000, 3_601_000);
            case "down negative" -> new ClusterSettings.Timings(Duration.ofSeconds(1), Duration.ofMillis(500),
                    Duration.ofSeconds(2), Duration.ofSeconds(-10));
            default -> throw new AssertionError(problem);
        };
        assertThatThrownBy(() -> ClusterSettings.of(valid().withTimings(t)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        // checked on a single node too: a typo is reported before the day cluster mode is switched on
        assertThatThrownBy(() -> ClusterSettings.of(with(b -> b.enabled(false)).withTimings(t)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private static ClusterSettings.Timings timings(long wait, long heartbeat, long suspect, long down) {
        return new ClusterSettings.Timings(Duration.ofMillis(wait), Duration.ofMillis(heartbeat),
                Duration.ofMillis(suspect), Duration.ofMillis(down));
    }

    @Test
    void syntaxIsCheckedEvenWhenClusterModeIsOffButClusterRulesAreNot() {
        assertThatThrownBy(() -> ClusterSettings.of(with(b -> b.enabled(false).peers("nohostport"))))
                .hasMessageContaining("hyperkv.cluster.peers");
        // No secret and N above the peer count only matter to a cluster member.
        ClusterSettings off = ClusterSettings.of(with(b -> b.enabled(false).secret(null).n(5)));
        assertThat(off.enabled()).isFalse();
        // a single node on a high RESP port opens no bus, so the bus port's default cannot stop it
        ClusterSettings highPort = ClusterSettings.of(with(b -> b.enabled(false).respPort(60000)));
        assertThat(highPort.enabled()).isFalse();
    }

    @Test
    void theSecretNeverAppearsInMessagesOrToString() {
        ClusterSettings s = ClusterSettings.of(valid());
        assertThat(s.toString()).doesNotContain(SECRET).contains("secret=(set)");
        assertThat(valid().toString()).doesNotContain(SECRET);
        assertThatThrownBy(() -> ClusterSettings.of(with(b -> b.secret("tooshort-9"))))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("tooshort-9"));
    }

    @Test
    void peerAddressesRoundTripThroughTheirText() {
        List<PeerAddress> peers = PeerAddress.parseList("a.b.c:1,[::1]:65535,10.0.0.7:16379");
        assertThat(PeerAddress.parseList(String.join(",", peers.stream().map(PeerAddress::toString).toList())))
                .isEqualTo(peers);
        assertThat(PeerAddress.parseList("  ")).isEmpty();
    }

    /** Changes one field of a {@link ClusterSettings.Raw}. */
    private static final class Builder {
        ClusterSettings.Raw raw;

        Builder(ClusterSettings.Raw raw) {
            this.raw = raw;
        }

        Builder enabled(boolean v) {
            raw = new ClusterSettings.Raw(v, raw.respPort(), raw.busPort(), raw.peers(), raw.replicationFactor(),
                    raw.writeConsistency(), raw.readConsistency(), raw.secret(), raw.nodeId(), raw.announceHost());
            return this;
        }

        Builder respPort(int v) {
            raw = new ClusterSettings.Raw(raw.enabled(), v, raw.busPort(), raw.peers(), raw.replicationFactor(),
                    raw.writeConsistency(), raw.readConsistency(), raw.secret(), raw.nodeId(), raw.announceHost());
            return this;
        }

        Builder busPort(int v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), OptionalInt.of(v), raw.peers(),
                    raw.replicationFactor(), raw.writeConsistency(), raw.readConsistency(), raw.secret(), raw.nodeId(),
                    raw.announceHost());
            return this;
        }

        Builder peers(String v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), Optional.ofNullable(v),
                    raw.replicationFactor(), raw.writeConsistency(), raw.readConsistency(), raw.secret(), raw.nodeId(),
                    raw.announceHost());
            return this;
        }

        Builder n(int v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), raw.peers(), v,
                    raw.writeConsistency(), raw.readConsistency(), raw.secret(), raw.nodeId(), raw.announceHost());
            return this;
        }

        Builder write(String v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), raw.peers(),
                    raw.replicationFactor(), v, raw.readConsistency(), raw.secret(), raw.nodeId(), raw.announceHost());
            return this;
        }

        Builder read(String v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), raw.peers(),
                    raw.replicationFactor(), raw.writeConsistency(), v, raw.secret(), raw.nodeId(), raw.announceHost());
            return this;
        }

        Builder secret(String v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), raw.peers(),
                    raw.replicationFactor(), raw.writeConsistency(), raw.readConsistency(), Optional.ofNullable(v),
                    raw.nodeId(), raw.announceHost());
            return this;
        }

        Builder nodeId(String v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), raw.peers(),
                    raw.replicationFactor(), raw.writeConsistency(), raw.readConsistency(), raw.secret(),
                    Optional.of(v), raw.announceHost());
            return this;
        }

        Builder announce(String v) {
            raw = new ClusterSettings.Raw(raw.enabled(), raw.respPort(), raw.busPort(), raw.peers(),
                    raw.replicationFactor(), raw.writeConsistency(), raw.readConsistency(), raw.secret(), raw.nodeId(),
                    Optional.of(v));
            return this;
        }
    }
}
