package io.hyperkv.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * N keyspaces, each on its own RocksDB directory with its own clock (node ids 1..N) over one {@link ManualTime}, each
 * with a {@link DeltaSink} that records what it committed, and a network the test drives: deltas go through the wire
 * codec and reach the other replicas when, in what order and how often the test says. For replication tests.
 */
final class ReplicaSet implements AutoCloseable {

    /** A delta on its way: from which replica, for which key, as encoded bytes. */
    record InFlight(int from, int db, byte[] key, byte[] delta) {}

    final ManualTime time = new ManualTime();
    final Replica[] replicas;
    /** Per target replica, what was sent to it and not delivered yet. */
    final List<List<InFlight>> queues = new ArrayList<>();

    final class Replica implements AutoCloseable {
        final int index;
        final Path dir;
        Engine engine;
        Keyspace ks;
        SetStore sets;
        final List<InFlight> sent = new ArrayList<>();

        Replica(int index, Path dir) {
            this.index = index;
            this.dir = dir;
            open();
        }

        void open() {
            engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
            ks = new Keyspace(engine, new TestClock(time, index + 1), 16, time);
            sets = new SetStore(ks);
            ks.deltaSink((db, key, slot, delta) -> {
                InFlight f = new InFlight(index, db, key.clone(), delta.encode());
                sent.add(f);
                for (int to = 0; to < replicas.length; to++) {
                    if (to != index) {
                        queues.get(to).add(f);
                    }
                }
            });
        }

        /** Closes and reopens the store, as a restart: counters and digests are rebuilt from disk. */
        void restart() {
            engine.close();
            // a restarted node's clock starts above every stamp it issued (the HLC persists its high-water mark);
            // this test clock starts from the wall, so the wall moves on
            time.advance(1);
            open();
        }

        void set(String key, String value) {
            ks.setString(0, b(key), b(value), Encoding.ofString(b(value)), 0);
        }

        void incrBy(String key, long by) {
            try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
                Metadata m = ks.read(0, b(key));
                long current = m == null ? 0 : Numbers.parseLong(m.payload());
                ks.increment(0, b(key), m, by, current + by);
            }
        }

        void append(String key, String suffix) {
            try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
                Metadata m = ks.read(0, b(key));
                if (m == null) {
                    set(key, suffix);
                } else {
                    ks.updateString(0, b(key), m, (new String(m.payload(), StandardCharsets.UTF_8) + suffix)
                            .getBytes(StandardCharsets.UTF_8), Encoding.RAW);
                }
            }
        }

        /** SADD (false: WRONGTYPE, nothing done), as the command does it. */
        boolean sadd(String key, String member) {
            try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
                Metadata m = ks.read(0, b(key));
                if (m != null && m.type() != ValueType.SET) {
                    return false;
                }
                sets.add(0, b(key), m, List.of(b(member)));
                return true;
            }
        }

        void srem(String key, String member) {
            try (KeyLocks.Held ignored = ks.lock(0, b(key))) {
                Metadata m = ks.read(0, b(key));
                if (m != null && m.type() == ValueType.SET) {
                    sets.remove(0, b(key), m, List.of(b(member)));
                }
            }
        }

        /** What a client sees: type and value (a set's members, sorted), null when absent. */
        String get(String key) {
            Metadata m = ks.read(0, b(key));
            if (m == null) {
                return null;
            }
            if (m.type() == ValueType.SET) {
                return "SET:" + sets.members(0, b(key), m).stream().map(x -> new String(x, StandardCharsets.UTF_8))
                        .sorted().toList();
            }
            return m.type() + ":" + new String(m.payload(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    ReplicaSet(Path root, int n) throws java.io.IOException {
        replicas = new Replica[n];
        for (int i = 0; i < n; i++) {
            queues.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            replicas[i] = new Replica(i, Files.createDirectories(root.resolve("node" + i)));
        }
    }

    Replica get(int i) {
        return replicas[i];
    }

    /**
     * Delivers to {@code to} a random part of its queue in random order, some deltas twice; returns how many merges
     * changed something.
     */
    int deliverSome(int to, Random random) {
        List<InFlight> q = queues.get(to);
        List<InFlight> batch = new ArrayList<>();
        for (var it = q.iterator(); it.hasNext(); ) {
            InFlight f = it.next();
            if (random.nextBoolean()) {
                batch.add(f);
                it.remove();
            }
        }
        return deliver(to, batch, random);
    }

    /** Delivers everything queued to every replica, shuffled, with duplicates. */
    void deliverAll(Random random) {
        for (int to = 0; to < replicas.length; to++) {
            List<InFlight> batch = new ArrayList<>(queues.get(to));
            queues.get(to).clear();
            deliver(to, batch, random);
        }
    }

    private int deliver(int to, List<InFlight> batch, Random random) {
        List<InFlight> copy = new ArrayList<>(batch);
        for (InFlight f : batch) {
            if (random.nextInt(4) == 0) {
                copy.add(f);
            }
        }
        java.util.Collections.shuffle(copy, random);
        int changed = 0;
        for (InFlight f : copy) {
            changed += replicas[to].ks.merge(f.db(), f.key(), KeyDelta.decode(f.delta())) ? 1 : 0;
        }
        return changed;
    }

    /** What anti-entropy does for {@code keys}: every replica merges every other one's captured whole state, twice. */
    void antiEntropy(String... keys) {
        for (int round = 0; round < 2; round++) {
            for (Replica from : replicas) {
                for (Replica to : replicas) {
                    for (String k : keys) {
                        KeyDelta full = from == to ? null : from.ks.capture(0, b(k));
                        if (full != null) {
                            to.ks.merge(0, b(k), KeyDelta.decode(full.encode()));
                        }
                    }
                }
            }
        }
    }

    /** Every replica's DEBUG DIGEST, hex. */
    List<String> digests() {
        List<String> out = new ArrayList<>();
        for (Replica r : replicas) {
            out.add(java.util.HexFormat.of().formatHex(r.ks.digest()));
        }
        return out;
    }

    /** Every replica's view of {@code keys}. */
    List<List<String>> values(String... keys) {
        List<List<String>> out = new ArrayList<>();
        for (Replica r : replicas) {
            out.add(Arrays.stream(keys).map(r::get).toList());
        }
        return out;
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (Replica r : replicas) {
            r.close();
        }
    }
}
