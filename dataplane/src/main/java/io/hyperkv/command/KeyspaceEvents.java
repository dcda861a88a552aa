package io.hyperkv.command;

import java.nio.charset.StandardCharsets;

/**
 * The {@link Notifier} behind {@code notify-keyspace-events}: turns an event into Redis's two
 * channels, {@code __keyspace@<db>__:<key>} (message: the event name) when {@code K} is on and
 * {@code __keyevent@<db>__:<event>} (message: the key) when {@code E} is on, and hands them to the
 * node's pub/sub through {@link Publisher}. The enabled classes are one volatile int, so an event
 * of a disabled class (the default: all off) costs one read and a test.
 *
 * <p>{@link #parse} and {@link #format} are Redis's {@code keyspaceEventsStringToFlags} and
 * {@code keyspaceEventsFlagsToString}: CONFIG GET shows the canonical form (e.g. {@code KEA} reads
 * back as {@code AKE}).
 */
public final class KeyspaceEvents implements Notifier {

    /** Where the channels go: the node's PUBLISH. */
    @FunctionalInterface
    public interface Publisher {
        void publish(byte[] channel, byte[] message);
    }

    /** {@code K}: publish on {@code __keyspace@<db>__:<key>}. */
    public static final int KEYSPACE = 1;
    /** {@code E}: publish on {@code __keyevent@<db>__:<event>}. */
    public static final int KEYEVENT = 1 << 1;
    /** {@code A}: every class except key-miss and new, as Redis's NOTIFY_ALL. */
    public static final int ALL = GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;

    private static final byte[] KEYSPACE_PREFIX = "__keyspace@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYEVENT_PREFIX = "__keyevent@".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "__:".getBytes(StandardCharsets.US_ASCII);

    private final Publisher publisher;
    private volatile int flags;

    public KeyspaceEvents(Publisher publisher) {
        this.publisher = publisher;
    }

    /** Keeps the flags in step with {@code settings}' notify-keyspace-events, now and after every CONFIG SET. */
    public KeyspaceEvents following(Settings settings) {
        flags = parse(settings.get(Settings.NOTIFY_KEYSPACE_EVENTS));
        settings.onChange((name, value) -> {
            if (name.equals(Settings.NOTIFY_KEYSPACE_EVENTS)) {
                flags = parse(value);
            }
        });
        return this;
    }

    public void flags(int value) {
        flags = value;
    }

    public int flags() {
        return flags;
    }

    @Override
    public boolean enabled(int type) {
        int f = flags;
        return (f & type) != 0 && (f & (KEYSPACE | KEYEVENT)) != 0;
    }

    @Override
    public void notify(int type, String event, int db, byte[] key) {
        int f = flags;
        if ((f & type) == 0 || (f & (KEYSPACE | KEYEVENT)) == 0) {
            return;
        }
        byte[] eventBytes = event.getBytes(StandardCharsets.US_ASCII);
        byte[] dbDigits = Integer.toString(db).getBytes(StandardCharsets.US_ASCII);
        if ((f & KEYSPACE) != 0) {
            publisher.publish(concat(KEYSPACE_PREFIX, dbDigits, SUFFIX, key), eventBytes);
        }
        if ((f & KEYEVENT) != 0) {
            publisher.publish(concat(KEYEVENT_PREFIX, dbDigits, SUFFIX, eventBytes), key);
        }
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c, byte[] d) {
        byte[] out = new byte[a.length + b.length + c.length + d.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        System.arraycopy(d, 0, out, a.length + b.length + c.length, d.length);
        return out;
    }

    /** The flags named by {@code classes}, or -1 if it holds a character that names no class. */
    public static int parse(String classes) {
        int f = 0;
        for (int i = 0; i < classes.length(); i++) {
            switch (classes.charAt(i)) {
                case 'A' -> f |= ALL;
                case 'g' -> f |= GENERIC;
                case '$' -> f |= STRING;
                case 'l' -> f |= LIST;
                case 's' -> f |= SET;
                case 'h' -> f |= HASH;
                case 'z' -> f |= ZSET;
                case 'x' -> f |= EXPIRED;
                case 'e' -> f |= EVICTED;
                case 'K' -> f |= KEYSPACE;
                case 'E' -> f |= KEYEVENT;
                case 't' -> f |= STREAM;
                case 'm' -> f |= KEY_MISS;
                case 'd' -> f |= MODULE;
                case 'n' -> f |= NEW;
                default -> {
                    return -1;
                }
            }
        }
        return f;
    }

    /** The canonical text of {@code flags}, as CONFIG GET prints it. */
    public static String format(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & ALL) == ALL) {
            sb.append('A');
        } else {
            // Redis prints 'n' only in this branch: with A set, "An" reads back as "A" (kept for fidelity).
            appendIf(sb, flags, GENERIC, 'g');
            appendIf(sb, flags, STRING, '$');
            appendIf(sb, flags, LIST, 'l');
            appendIf(sb, flags, SET, 's');
            appendIf(sb, flags, HASH, 'h');
            appendIf(sb, flags, ZSET, 'z');
            appendIf(sb, flags, EXPIRED, 'x');
            appendIf(sb, flags, EVICTED, 'e');
            appendIf(sb, flags, STREAM, 't');
            appendIf(sb, flags, MODULE, 'd');
            appendIf(sb, flags, NEW, 'n');
        }
        appendIf(sb, flags, KEYSPACE, 'K');
        appendIf(sb, flags, KEYEVENT, 'E');
        appendIf(sb, flags, KEY_MISS, 'm');
        return sb.toString();
    }

    private static void appendIf(StringBuilder sb, int flags, int bit, char letter) {
        if ((flags & bit) != 0) {
            sb.append(letter);
        }
    }

    /** The Settings validator: canonical form, or Redis's refusal. */
    static String canonical(String value) {
        int f = parse(value);
        if (f < 0) {
            throw new IllegalArgumentException("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        }
        return format(f);
    }
}
