package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.store.Encoding;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ManualTime;
import io.hyperkv.store.RocksDbEngine;
import io.hyperkv.store.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WATCH registry fed by a real keyspace's events (RocksDB underneath). */
class WatchedKeysTest {

    @TempDir
    Path dir;
    private RocksDbEngine engine;
    private final ManualTime time = new ManualTime();
    private Keyspace ks;
    private final WatchedKeys registry = new WatchedKeys();

    @BeforeEach
    void open() {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time);
        ks.listen(registry);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private WatchedKeys.Watcher watching(int db, String key) {
        WatchedKeys.Watcher w = registry.newWatcher();
        w.watch(db, b(key), () -> ks.exists(db, b(key)));
        return w;
    }

    @Test
    void anyWriteToTheKeyInItsDbMarksItsWatchersOnly() {
        ks.setString(0, b("k"), b("1"), Encoding.INT, 0);
        WatchedKeys.Watcher k = watching(0, "k");
        WatchedKeys.Watcher other = watching(0, "other");
        WatchedKeys.Watcher elsewhere = watching(1, "k");
        ks.setString(0, b("k"), b("1"), Encoding.INT, 0);
        assertThat(k.dirty()).as("the same value written again").isTrue();
        assertThat(other.dirty()).isFalse();
        assertThat(elsewhere.dirty()).as("same name in another db").isFalse();
        ks.setExpiry(1, b("k"), 0); // no such key: no write, no event
        assertThat(elsewhere.dirty()).isFalse();
    }

    @Test
    void expiryPassiveOrActiveMarksTheWatcher() {
        ks.setString(0, b("p"), b("v"), Encoding.EMBSTR, time.getAsLong() + 10);
        ks.setString(0, b("a"), b("v"), Encoding.EMBSTR, time.getAsLong() + 10);
        WatchedKeys.Watcher p = watching(0, "p");
        WatchedKeys.Watcher a = watching(0, "a");
        time.advance(20);
        assertThat(ks.read(0, b("p"))).isNull();
        assertThat(p.dirty()).isTrue();
        assertThat(a.dirty()).isFalse();
        assertThat(ks.runCycle()).isEqualTo(1);
        assertThat(a.dirty()).isTrue();
    }

    @Test
    void aFlushMarksOnlyKeysThatExistedInTheFlushedDbs() {
        ks.setString(2, b("there"), b("v"), Encoding.EMBSTR, 0);
        WatchedKeys.Watcher there = watching(2, "there");
        WatchedKeys.Watcher absent = watching(2, "absent");
        WatchedKeys.Watcher otherDb = watching(3, "there");
        ks.flush(2);
        assertThat(there.dirty()).isTrue();
        assertThat(absent.dirty()).isFalse();
        assertThat(otherDb.dirty()).isFalse();
        ks.setString(3, b("there"), b("v"), Encoding.EMBSTR, 0);
        assertThat(otherDb.dirty()).as("created after WATCH").isTrue();
    }

    @Test
    void unwatchForgetsEverythingAndCleansTheRegistry() {
        WatchedKeys.Watcher w = watching(0, "x");
        w.watch(0, b("y"), () -> false);
        w.watch(0, b("x"), () -> false);
        assertThat(w.count()).as("watching a key twice is one watch").isEqualTo(2);
        WatchedKeys.Watcher shared = watching(0, "x");
        assertThat(registry.size()).isEqualTo(3);
        ks.setString(0, b("x"), b("v"), Encoding.EMBSTR, 0);
        assertThat(w.dirty()).isTrue();
        w.unwatchAll();
        assertThat(w.dirty()).isFalse();
        assertThat(w.count()).isZero();
        assertThat(registry.size()).isEqualTo(1);
        ks.setString(0, b("y"), b("v"), Encoding.EMBSTR, 0);
        assertThat(w.dirty()).as("no longer watching").isFalse();
        shared.unwatchAll();
        assertThat(registry.size()).isZero();
    }

    @Test
    void droppingASlotMarksTheWatchersOfItsKeysInEveryDbOnly() {
        ks.setString(0, b("{tag}present"), b("1"), Encoding.RAW, 0);
        WatchedKeys.Watcher present = watching(0, "{tag}present");
        WatchedKeys.Watcher absent = watching(3, "{tag}absent");
        WatchedKeys.Watcher otherSlot = watching(0, "elsewhere");
        assertThat(KeySlot.of(b("elsewhere"))).isNotEqualTo(KeySlot.of(b("{tag}")));
        ks.dropSlot(KeySlot.of(b("{tag}")));
        assertThat(present.dirty()).isTrue();
        assertThat(absent.dirty()).as("its value now lives on the slot's new owners").isTrue();
        assertThat(otherSlot.dirty()).isFalse();
        assertThat(ks.exists(0, b("{tag}present"))).isFalse();
    }
}
