package io.hyperkv.command;

import java.util.Locale;

/**
 * {@code client-output-buffer-limit}: per client class, how many bytes may wait to be written to a
 * client before it is disconnected. A client is cut when its queued bytes reach {@code hard}, or stay
 * at or above {@code soft} for more than {@code softSeconds}; a zero disables that bound. The value
 * reads and parses exactly as Redis's ({@code normal 0 0 0 slave 268435456 67108864 60 pubsub
 * 33554432 8388608 60}); a CONFIG SET may name only some classes and keeps the others.
 */
public record OutputBufferLimits(Limit normal, Limit replica, Limit pubsub) {

    /** Redis's defaults: normal clients unbounded, pub/sub clients 32 MB hard, 8 MB for 60 s soft. */
    public static final String DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";

    /** The bounds of one class; all zero means unbounded. */
    public record Limit(long hardBytes, long softBytes, long softSeconds) {

        public boolean unbounded() {
            return hardBytes == 0 && softBytes == 0;
        }
    }

    public static OutputBufferLimits parse(String canonical) {
        return apply(new OutputBufferLimits(null, null, null), canonical);
    }

    /**
     * The value after CONFIG SET {@code update} over {@code current}, in canonical form; throws
     * IllegalArgumentException with Redis's reason text when the update is malformed.
     */
    public static String merge(String current, String update) {
        return apply(parse(current), update).format();
    }

    private static OutputBufferLimits apply(OutputBufferLimits base, String text) {
        String trimmed = text.trim();
        String[] words = trimmed.isEmpty() ? new String[0] : trimmed.split("\\s+");
        if (words.length % 4 != 0) {
            throw new IllegalArgumentException("Wrong number of arguments in buffer limit configuration.");
        }
        Limit normal = base.normal;
        Limit replica = base.replica;
        Limit pubsub = base.pubsub;
        for (int i = 0; i < words.length; i += 4) {
            String cls = words[i].toLowerCase(Locale.ROOT);
            if (!cls.equals("normal") && !cls.equals("slave") && !cls.equals("replica") && !cls.equals("pubsub")) {
                throw new IllegalArgumentException("Invalid client class specified in buffer limit configuration.");
            }
            long hard = memory(words[i + 1]);
            long soft = memory(words[i + 2]);
            long seconds = seconds(words[i + 3]);
            Limit limit = new Limit(hard, soft, seconds);
            switch (cls) {
                case "normal" -> normal = limit;
                case "pubsub" -> pubsub = limit;
                default -> replica = limit;
            }
        }
        return new OutputBufferLimits(normal, replica, pubsub);
    }

    /** The form CONFIG GET shows: every class, bytes and seconds as plain integers. */
    public String format() {
        return "normal " + text(normal) + " slave " + text(replica) + " pubsub " + text(pubsub);
    }

    private static String text(Limit l) {
        return l == null ? "0 0 0" : l.hardBytes + " " + l.softBytes + " " + l.softSeconds;
    }

    private static final String BAD_VALUE = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

    /** Redis's memtoull: a non-negative integer with an optional b, k, kb, m, mb, g, gb unit in any case. */
    private static long memory(String word) {
        String s = word.toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
            {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        if (s.isEmpty() || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(BAD_VALUE);
        }
        try {
            return Math.multiplyExact(Long.parseLong(s), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(BAD_VALUE);
        }
    }

    private static long seconds(String word) {
        try {
            long n = Long.parseLong(word);
            if (n < 0) {
                throw new IllegalArgumentException(BAD_VALUE);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BAD_VALUE);
        }
    }
}
