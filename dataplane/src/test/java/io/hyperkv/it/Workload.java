package io.hyperkv.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Concurrent writers through every node of a cluster, each keeping an exact account of what the cluster acknowledged,
 * so that a fault test can check afterwards that nothing acknowledged was lost and nothing was invented.
 *
 * <p>Each writer is a thread with its own Jedis connection to one node (with a command timeout; it reconnects after
 * any failure) and cycles through four operations at a steady rate:
 * <ol>
 *   <li>{@code INCR} of one of the shared counters;</li>
 *   <li>{@code SADD} of a member unique to this write into the shared set;</li>
 *   <li>{@code SET} of one of the writer's own keys to the step number, which only grows;</li>
 *   <li>{@code SET} of one of the shared keys to a value unique to this write.</li>
 * </ol>
 * A reply is an acknowledgement; an error reply or a timeout or broken connection after the command was sent is
 * <em>unacknowledged</em>: the write may or may not have happened. A command that could not be sent (no connection)
 * is not counted at all.
 *
 * <p>What {@link #violations} then requires of a node's data, once the cluster has healed and converged:
 * <ul>
 *   <li>each counter is at least its acknowledged INCRs and at most those plus its unacknowledged ones;</li>
 *   <li>the set holds every acknowledged member and only members some SADD tried;</li>
 *   <li>a writer's own key holds its last acknowledged value or a later unacknowledged one (the writer's writes to a
 *       key are sequential, separated by other round trips, through one coordinator, so LWW orders them as sent);</li>
 *   <li>a shared key holds one of the values written to it ({@link #sharedValues} lets the test compare the nodes:
 *       every replica must hold the same winner).</li>
 * </ul>
 *
 * <p>Threading: writer state is confined to its thread until {@link #stop()} joins it; the shared tallies are
 * concurrent. Counts are readable at any time.
 */
final class Workload implements AutoCloseable {

    /**
     * How much load and over how many keys.
     *
     * @param writersPerNode writer threads per node
     * @param counters shared INCR counters
     * @param sharedKeys shared SET keys
     * @param keysPerWriter keys each writer owns
     * @param opsPerSecond target rate of each writer (a steady rate, not a maximum)
     * @param timeout connect and command timeout of each client
     */
    record Shape(int writersPerNode, int counters, int sharedKeys, int keysPerWriter, int opsPerSecond,
            Duration timeout) {

        /** Two writers per node at 100 operations a second each, over a handful of keys. */
        static Shape standard() {
            return new Shape(2, 4, 4, 8, 100, Duration.ofSeconds(3));
        }
    }

    private static final int OPS = 4;
    private static final long RECONNECT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final String prefix;
    private final Shape shape;
    private final List<Writer> writers = new ArrayList<>();
    private final AtomicLongArray counterAcked;
    private final AtomicLongArray counterUnacked;
    private final Set<String> membersAcked = ConcurrentHashMap.newKeySet();
    private final Set<String> membersTried = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<String>> sharedTried = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final List<Throwable> crashes = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    private Workload(String prefix, Shape shape) {
        this.prefix = prefix;
        this.shape = shape;
        this.counterAcked = new AtomicLongArray(shape.counters());
        this.counterUnacked = new AtomicLongArray(shape.counters());
        for (int k = 0; k < shape.sharedKeys(); k++) {
            sharedTried.put(sharedKey(k), ConcurrentHashMap.newKeySet());
        }
    }

    /** Starts {@code shape.writersPerNode()} writers through each of the RESP ports (all on 127.0.0.1). */
    static Workload start(String prefix, Shape shape, List<Integer> respPorts) {
        Workload w = new Workload(prefix, shape);
        int id = 0;
        for (int node = 0; node < respPorts.size(); node++) {
            for (int i = 0; i < shape.writersPerNode(); i++) {
                w.writers.add(w.new Writer(id++, node, respPorts.get(node)));
            }
        }
        w.writers.forEach(Thread::start);
        return w;
    }

    String counterKey(int k) {
        return prefix + ":counter:" + k;
    }

    String setKey() {
        return prefix + ":members";
    }

    String sharedKey(int k) {
        return prefix + ":shared:" + k;
    }

    String ownKey(int writer, int k) {
        return prefix + ":seq:" + writer + ":" + k;
    }

    /** Acknowledged writes so far through node {@code node} (its index in the port list). */
    long ackedThrough(int node) {
        return writers.stream().filter(w -> w.node == node).mapToLong(w -> w.acked.get()).sum();
    }

    long acked() {
        return writers.stream().mapToLong(w -> w.acked.get()).sum();
    }

    long unacked() {
        return writers.stream().mapToLong(w -> w.unacked.get()).sum();
    }

    /** Why writes went unacknowledged: the error reply's first word, or the client exception's class, with counts. */
    Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        failures.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Stops the writers and waits for each to finish its command in flight; the accounts are final afterwards. */
    void stop() {
        running = false;
        for (Writer w : writers) {
            try {
                w.join(shape.timeout().multipliedBy(3).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (w.isAlive()) {
                throw new IllegalStateException("writer " + w.getName() + " did not stop");
            }
        }
    }

    @Override
    public void close() {
        if (running) {
            stop();
        }
    }

    /** One line for the test log: operations acknowledged and not, and why not. */
    String summary() {
        return "acknowledged " + acked() + ", unacknowledged " + unacked() + " " + failures()
                + (crashes.isEmpty() ? "" : ", writers died: " + crashes);
    }

    /**
     * Everything {@code jedis}'s node holds that contradicts the accounts (see the class comment); empty when nothing
     * does. Call after {@link #stop()}.
     */
    List<String> violations(Jedis jedis) {
        if (running) {
            throw new IllegalStateException("stop the writers first");
        }
        List<String> bad = new ArrayList<>();
        crashes.forEach(t -> bad.add("a writer died of an unexpected " + t));
        for (int k = 0; k < shape.counters(); k++) {
            String v = jedis.get(counterKey(k));
            long value = v == null ? 0 : Long.parseLong(v);
            long acked = counterAcked.get(k);
            long unacked = counterUnacked.get(k);
            if (value < acked || value > acked + unacked) {
                bad.add(counterKey(k) + " = " + value + ", outside [" + acked + " acknowledged, " + (acked + unacked)
                        + " with the unacknowledged]");
            }
        }
        Set<String> members = jedis.smembers(setKey());
        List<String> lost = membersAcked.stream().filter(m -> !members.contains(m)).sorted().toList();
        if (!lost.isEmpty()) {
            bad.add(setKey() + " lacks " + lost.size() + " of " + membersAcked.size() + " acknowledged members, e.g. "
                    + lost.subList(0, Math.min(5, lost.size())));
        }
        List<String> invented = members.stream().filter(m -> !membersTried.contains(m)).sorted().toList();
        if (!invented.isEmpty()) {
            bad.add(setKey() + " holds " + invented.size() + " members nobody added, e.g. "
                    + invented.subList(0, Math.min(5, invented.size())));
        }
        for (Writer w : writers) {
            for (int k = 0; k < shape.keysPerWriter(); k++) {
                String problem = w.checkOwnKey(k, jedis.get(ownKey(w.id, k)));
                if (problem != null) {
                    bad.add(problem);
                }
            }
        }
        sharedValues(jedis).forEach((key, value) -> {
            if (value == null ? !sharedTried.get(key).isEmpty() : !sharedTried.get(key).contains(value)) {
                bad.add(key + " = " + value + ", not one of the " + sharedTried.get(key).size() + " values written");
            }
        });
        return bad;
    }

    /** The shared keys' values on {@code jedis}'s node, in key order (every replica must show the same). */
    Map<String, String> sharedValues(Jedis jedis) {
        Map<String, String> values = new TreeMap<>();
        for (int k = 0; k < shape.sharedKeys(); k++) {
            values.put(sharedKey(k), jedis.get(sharedKey(k)));
        }
        return values;
    }

    /** One writer thread and the account of its own keys (confined to it until {@link #stop()} joins it). */
    private final class Writer extends Thread {

        private final int id;
        private final int node;
        private final int port;
        private final AtomicLong acked = new AtomicLong();
        private final AtomicLong unacked = new AtomicLong();
        /** Per own key: the last acknowledged step (-1: none) and the last step sent (-1: none). */
        private final long[] lastAcked;
        private final long[] lastSent;
        private Jedis jedis;

        Writer(int id, int node, int port) {
            super("workload-writer-" + id + "-node-" + node);
            setDaemon(true);
            this.id = id;
            this.node = node;
            this.port = port;
            this.lastAcked = new long[shape.keysPerWriter()];
            this.lastSent = new long[shape.keysPerWriter()];
            Arrays.fill(lastAcked, -1);
            Arrays.fill(lastSent, -1);
        }

        @Override
        public void run() {
            long period = TimeUnit.SECONDS.toNanos(1) / shape.opsPerSecond();
            long next = System.nanoTime();
            try {
                for (long step = 0; running; ) {
                    if (!connected()) {
                        LockSupport.parkNanos(RECONNECT_PAUSE_NANOS);
                        continue;
                    }
                    next += period;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    } else {
                        next = System.nanoTime(); // behind (a fault): do not burst to catch up
                    }
                    perform(step++);
                }
            } catch (RuntimeException e) {
                crashes.add(e); // a reply the client could not read as the command's: reported by violations
            } finally {
                disconnect();
            }
        }

        private boolean connected() {
            if (jedis != null) {
                return true;
            }
            int millis = (int) shape.timeout().toMillis();
            try {
                jedis = new Jedis("127.0.0.1", port, millis, millis); // Jedis connects in its constructor
                return true;
            } catch (JedisConnectionException e) {
                return false;
            }
        }

        private void disconnect() {
            if (jedis != null) {
                jedis.close();
                jedis = null;
            }
        }

        /** Sends operation {@code step} and records its outcome. */
        private void perform(long step) {
            int op = (int) (step % OPS);
            int k = (int) (step / OPS);
            try {
                switch (op) {
                    case 0 -> incr(k % shape.counters());
                    case 1 -> sadd("w" + id + ":" + step);
                    case 2 -> setOwn(k % shape.keysPerWriter(), step);
                    default -> setShared(k % shape.sharedKeys(), "w" + id + ":" + step);
                }
                acked.incrementAndGet();
            } catch (JedisDataException e) {
                String message = String.valueOf(e.getMessage());
                int space = message.indexOf(' ');
                failed(space > 0 ? message.substring(0, space) : message);
            } catch (JedisConnectionException e) {
                failed(e.getCause() == null ? e.getClass().getSimpleName() : e.getCause().getClass().getSimpleName());
                disconnect();
            }
        }

        private void failed(String why) {
            unacked.incrementAndGet();
            failures.computeIfAbsent(why, x -> new LongAdder()).increment();
        }

        private void incr(int counter) {
            counterUnacked.incrementAndGet(counter);
            jedis.incr(counterKey(counter));
            // Acknowledged: move it from the unacknowledged to the acknowledged count.
            counterAcked.incrementAndGet(counter);
            counterUnacked.decrementAndGet(counter);
        }

        private void sadd(String member) {
            membersTried.add(member);
            jedis.sadd(setKey(), member);
            membersAcked.add(member);
        }

        private void setOwn(int k, long step) {
            lastSent[k] = step;
            jedis.set(ownKey(id, k), Long.toString(step));
            lastAcked[k] = step;
        }

        private void setShared(int k, String value) {
            sharedTried.get(sharedKey(k)).add(value);
            jedis.set(sharedKey(k), value);
        }

        /** Why {@code value} cannot be own key {@code k}'s final value, or null when it can. */
        String checkOwnKey(int k, String value) {
            String key = ownKey(id, k);
            if (value == null) {
                return lastAcked[k] < 0 ? null : key + " is missing; its last acknowledged value is " + lastAcked[k];
            }
            long v = Long.parseLong(value);
            boolean sentToThisKey = v % OPS == 2 && (v / OPS) % shape.keysPerWriter() == k;
            if (!sentToThisKey || v < lastAcked[k] || v > lastSent[k]) {
                return key + " = " + v + "; expected the last acknowledged value " + lastAcked[k]
                        + " or a later one sent (up to " + lastSent[k] + ")";
            }
            return null;
        }
    }
}
