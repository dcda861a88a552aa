package io.hyperkv.crdt;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The value a reader sees in a register: the winning assignment (highest stamp) and the increments
 * that count on top of it. An increment counts unless an assignment newer than the base it was made
 * against is live: so SET resets the counter, increments made concurrently with (or before) that SET
 * are dropped, and increments whose base was removed by an observed DEL still count (DEL ∥ INCR keeps
 * the increments the DEL had not seen).
 *
 * @param assigned   the winning assignment's value, empty if increments only
 * @param base       the winning assignment's stamp, {@link Stamp#ZERO} if none
 * @param integral   sum of counting integer increments (saturating at the long range)
 * @param floating   sum of counting floating-point increments
 * @param increments number of counting increment contributions
 */
public record RegisterValue(Optional<Bytes> assigned, Stamp base, long integral, double floating, int increments) {

    /** Resolves live contributions; empty when no assignment or increment is live (the register does not exist). */
    public static Optional<RegisterValue> resolve(DotFun<Contribution> store) {
        if (!exists(store)) {
            return Optional.empty();
        }
        Contribution.Assign winner = null;
        for (Map.Entry<Dot, Contribution> e : store) {
            if (e.getValue() instanceof Contribution.Assign a && (winner == null || a.compareTo(winner) > 0)) {
                winner = a;
            }
        }
        Stamp base = winner == null ? Stamp.ZERO : winner.stamp();
        long integral = 0;
        double floating = 0;
        int count = 0;
        for (Map.Entry<Dot, Contribution> e : store) {
            if (e.getValue() instanceof Contribution.Increment inc && inc.base().compareTo(base) >= 0) {
                Contribution.Offset seen = offsetFor(store, e.getKey(), inc.base());
                long i = inc.integral();
                double f = inc.floating();
                if (seen != null) {
                    i = saturatedAdd(i, seen.integral() == Long.MIN_VALUE ? Long.MAX_VALUE : -seen.integral());
                    f -= seen.floating();
                }
                integral = saturatedAdd(integral, i);
                floating += f;
                count++;
            }
        }
        return Optional.of(new RegisterValue(winner == null ? Optional.empty() : Optional.of(winner.value()),
                base, integral, floating, count));
    }

    /** True if an assignment or an increment is live: offsets alone make no value. */
    static boolean exists(DotFun<Contribution> store) {
        for (Map.Entry<Dot, Contribution> e : store) {
            if (e.getValue().isValue()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The part of the running total at {@code dot} (against {@code base}) that a removal has already
     * taken away: the offset on the latest earlier running total of the same node and base, or null.
     */
    static Contribution.Offset offsetFor(DotFun<Contribution> store, Dot dot, Stamp base) {
        Contribution.Offset best = null;
        for (Map.Entry<Dot, Contribution> e : store) {
            if (e.getValue() instanceof Contribution.Offset o && o.target().node() == dot.node()
                    && o.target().counter() < dot.counter() && o.base().equals(base)
                    && (best == null || o.target().counter() > best.target().counter())) {
                best = o;
            }
        }
        return best;
    }

    static long saturatedAdd(long a, long b) {
        long r = a + b;
        if (((a ^ r) & (b ^ r)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return r;
    }

    /** The integer value, if the base is an integer (or absent) and no floating increment counts. */
    public OptionalLong asLong() {
        if (floating != 0) {
            return OptionalLong.empty();
        }
        long b = 0;
        if (assigned.isPresent()) {
            OptionalLong parsed = parseLong(assigned.get());
            if (parsed.isEmpty()) {
                return OptionalLong.empty();
            }
            b = parsed.getAsLong();
        }
        return OptionalLong.of(saturatedAdd(b, integral));
    }

    /** The numeric value, if the base is a finite number (or absent). */
    public OptionalDouble asDouble() {
        double b = 0;
        if (assigned.isPresent()) {
            try {
                String s = assigned.get().utf8();
                if (s.isEmpty() || Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))) {
                    return OptionalDouble.empty();
                }
                b = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        }
        double v = b + integral + floating;
        return Double.isFinite(v) ? OptionalDouble.of(v) : OptionalDouble.empty();
    }

    /**
     * The bytes a GET returns: the assignment as written when no increment counts; otherwise the
     * integer or decimal result. If increments count but the base is not a number (only possible
     * after concurrent writes the command layer could not check), the assignment wins unchanged.
     */
    public Bytes bytes() {
        if (increments == 0) {
            return assigned.orElse(Bytes.EMPTY);
        }
        OptionalLong l = asLong();
        if (l.isPresent()) {
            return Bytes.wrap(Long.toString(l.getAsLong()).getBytes(StandardCharsets.US_ASCII));
        }
        OptionalDouble d = asDouble();
        if (d.isPresent()) {
            return Bytes.wrap(formatDouble(d.getAsDouble()).getBytes(StandardCharsets.US_ASCII));
        }
        return assigned.orElse(Bytes.EMPTY);
    }

    /** Shortest decimal that reads back as {@code d}, without exponent or trailing zeros ("10.5", "3"). */
    public static String formatDouble(double d) {
        if (d == 0) {
            return "0";
        }
        return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }

    /** Redis's integer syntax: optional '-', digits, no leading zeros or '+', within the long range. */
    static OptionalLong parseLong(Bytes b) {
        int n = b.length();
        if (n == 0 || n > 20) {
            return OptionalLong.empty();
        }
        int i = 0;
        boolean negative = b.byteAt(0) == '-';
        if (negative) {
            i = 1;
            if (n == 1) {
                return OptionalLong.empty();
            }
        }
        if (b.byteAt(i) == '0' && n > i + 1) {
            return OptionalLong.empty();
        }
        long v = 0;
        for (; i < n; i++) {
            int digit = b.byteAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return OptionalLong.empty();
            }
            // accumulate negatively so Long.MIN_VALUE parses
            if (v < (Long.MIN_VALUE + digit) / 10) {
                return OptionalLong.empty();
            }
            v = v * 10 - digit;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) {
                return OptionalLong.empty();
            }
            v = -v;
        }
        return OptionalLong.of(v);
    }
}
