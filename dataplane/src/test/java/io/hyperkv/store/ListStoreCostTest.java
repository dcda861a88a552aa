package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage operations the list hot paths cost, counted on a real RocksDB engine: LPUSH/RPUSH
 * read META once and write one batch whatever the list's size; LPOP reads META, opens one cursor
 * positioned by one seek at the head, and writes one batch, even after many earlier pops; the next pops from the
 * same end with nothing else written in between take the rows that cursor read ahead and open none. (RPOP
 * needs a second seek: a cursor opens positioned at its lower bound.)
 */
class ListStoreCostTest {

    @TempDir
    Path dir;

    private RocksDbEngine rocks;
    private Counting engine;
    private ListStore lists;

    @BeforeEach
    void open() {
        ManualTime time = new ManualTime();
        rocks = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        engine = new Counting(rocks);
        lists = new ListStore(new Keyspace(engine, new TestClock(time, 1), 16, time));
    }

    @AfterEach
    void close() {
        rocks.close();
    }

    private static final byte[] KEY = "q".getBytes(StandardCharsets.UTF_8);

    @Test
    void pushIsOneGetAndOneBatchAndPopOneGetOneSeekOneBatch() {
        for (int i = 0; i < 1000; i++) {
            lists.push(0, KEY, List.of(("v" + i).getBytes(StandardCharsets.UTF_8)), false, false);
        }
        for (int i = 0; i < 500; i++) {
            lists.pop(0, KEY, 1, true);
        }
        engine.reset();
        lists.push(0, KEY, List.of("x".getBytes(StandardCharsets.UTF_8), "y".getBytes(StandardCharsets.UTF_8)), true, false);
        assertThat(engine.counts()).isEqualTo("gets<=1 cursors=0 seeks=0 writes=1");
        engine.reset();
        lists.push(0, KEY, List.of("z".getBytes(StandardCharsets.UTF_8)), false, false);
        assertThat(engine.counts()).isEqualTo("gets<=1 cursors=0 seeks=0 writes=1");
        engine.reset();
        assertThat(new String(lists.pop(0, KEY, 1, true).values().get(0), StandardCharsets.UTF_8)).isEqualTo("y");
        assertThat(engine.counts()).isEqualTo("gets<=1 cursors=1 seeks=1 writes=1");
        engine.reset();
        assertThat(lists.pop(0, KEY, 3, true).values()).hasSize(3);
        assertThat(engine.counts()).as("read ahead by the last pop").isEqualTo("gets<=1 cursors=0 seeks=0 writes=1");
        engine.reset();
        for (int i = 0; i < 40; i++) {
            assertThat(new String(lists.pop(0, KEY, 1, true).values().get(0), StandardCharsets.UTF_8))
                    .isEqualTo("v" + (502 + i));
        }
        assertThat(engine.counts()).as("40 pops, 32 rows read at a time").isEqualTo("gets<=1 cursors=1 seeks=1 writes=40");
        engine.reset();
        assertThat(new String(lists.pop(0, KEY, 1, false).values().get(0), StandardCharsets.UTF_8)).isEqualTo("z");
        assertThat(engine.counts()).isEqualTo("gets<=1 cursors=1 seeks=2 writes=1");
    }

    /** Counts the engine calls made through it; every call goes to the real engine. */
    private static final class Counting implements Engine {
        private final Engine inner;
        int gets;
        int cursors;
        int seeks;
        int writes;

        Counting(Engine inner) {
            this.inner = inner;
        }

        void reset() {
            gets = 0;
            cursors = 0;
            seeks = 0;
            writes = 0;
        }

        String counts() {
            // at most one: a META cache in Keyspace may answer the get without the engine
            return (gets <= 1 ? "gets<=1" : "gets=" + gets) + " cursors=" + cursors + " seeks=" + seeks + " writes=" + writes;
        }

        @Override
        public byte[] get(ColumnFamily cf, byte[] key) {
            gets++;
            return inner.get(cf, key);
        }

        @Override
        public void put(ColumnFamily cf, byte[] key, byte[] value) {
            writes++;
            inner.put(cf, key, value);
        }

        @Override
        public void delete(ColumnFamily cf, byte[] key) {
            writes++;
            inner.delete(cf, key);
        }

        @Override
        public void deleteRange(ColumnFamily cf, byte[] begin, byte[] end) {
            writes++;
            inner.deleteRange(cf, begin, end);
        }

        @Override
        public Cursor iterate(ColumnFamily cf, byte[] lower, byte[] upper) {
            cursors++;
            seeks++; // a cursor opens positioned at its lower bound: one seek
            Cursor c = inner.iterate(cf, lower, upper);
            return new Cursor() {
                @Override
                public void seek(byte[] key) {
                    seeks++;
                    c.seek(key);
                }

                @Override
                public void seekForPrev(byte[] key) {
                    seeks++;
                    c.seekForPrev(key);
                }

                @Override
                public void seekToLast() {
                    seeks++;
                    c.seekToLast();
                }

                @Override
                public void seekToFirst() {
                    seeks++;
                    c.seekToFirst();
                }

                @Override
                public boolean valid() {
                    return c.valid();
                }

                @Override
                public byte[] key() {
                    return c.key();
                }

                @Override
                public byte[] value() {
                    return c.value();
                }

                @Override
                public void next() {
                    c.next();
                }

                @Override
                public void prev() {
                    c.prev();
                }

                @Override
                public void close() {
                    c.close();
                }
            };
        }

        @Override
        public void compactRange(ColumnFamily cf, byte[] begin, byte[] end) {
            inner.compactRange(cf, begin, end);
        }

        @Override
        public Batch batch() {
            return inner.batch();
        }

        @Override
        public void write(Batch batch) {
            writes++;
            inner.write(batch);
        }

        @Override
        public CompletableFuture<Void> durable() {
            return inner.durable();
        }

        @Override
        public void sync() {
            inner.sync();
        }

        @Override
        public Fsync fsync() {
            return inner.fsync();
        }

        @Override
        public void fsync(Fsync policy) {
            inner.fsync(policy);
        }

        @Override
        public void checkpoint(Path target) {
            inner.checkpoint(target);
        }

        @Override
        public long property(String name) {
            return inner.property(name);
        }

        @Override
        public Path dataDir() {
            return inner.dataDir();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
