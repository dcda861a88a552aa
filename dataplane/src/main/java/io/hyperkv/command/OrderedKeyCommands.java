package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * KRANGE, a HyperKV extension: the keys of the selected db in byte order, which the ordered store
 * can give and Redis cannot.
 *
 * <pre>KRANGE start end [LIMIT count] [WITHVALUES]</pre>
 * <ul>
 *   <li>{@code start}/{@code end} as ZRANGEBYLEX's: {@code [key} inclusive, {@code (key} exclusive,
 *       {@code -} the first key, {@code +} past the last; anything else is
 *       {@code ERR min or max not valid string range item}. {@code start} above {@code end}: empty.</li>
 *   <li>{@code LIMIT count}: at most that many keys; a negative count means no limit (as
 *       ZRANGEBYLEX's). Without LIMIT every key in range is returned.</li>
 *   <li>Reply: an array of keys; with {@code WITHVALUES} a flat array of key, value pairs (RESP2 and
 *       RESP3 alike), where the value is a string's value and nil for a key of any other type: the
 *       listing stays complete, and a client that wants a collection reads it with its type's command.</li>
 *   <li>Expired keys are not listed. Keys are compared as unsigned bytes.</li>
 * </ul>
 * It reads the key-order index ({@code order} column family) and each key's metadata, so it is
 * O(keys returned + expired keys skipped), and {@link CommandFlag#SLOW_PATH}.
 */
final class OrderedKeyCommands extends Family {

    private static final String BAD_RANGE = "ERR min or max not valid string range item";

    private final Keyspace ks;

    OrderedKeyCommands(Keyspace ks) {
        this.ks = ks;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("krange", -3).flags(READONLY, SLOW_PATH).acl("keyspace", "read", "slow").handler(guarded(this::krange)).build());
    }

    /** One end of a range: the bound key (null: open) and whether it is included. */
    private record Bound(byte[] key, boolean inclusive, boolean infinite) {}

    private static Bound bound(byte[] arg, boolean isStart) {
        if (arg.length == 1 && (arg[0] == '-' || arg[0] == '+')) {
            boolean minusInf = arg[0] == '-';
            if (minusInf == isStart) {
                return new Bound(null, true, true);
            }
            // "+" as start or "-" as end: an empty range
            return new Bound(null, false, false);
        }
        if (arg.length == 0 || (arg[0] != '[' && arg[0] != '(')) {
            throw new CommandError(BAD_RANGE);
        }
        return new Bound(Arrays.copyOfRange(arg, 1, arg.length), arg[0] == '[', false);
    }

    private Reply krange(ClientSession s, byte[][] a) {
        Bound start = bound(a[1], true);
        Bound end = bound(a[2], false);
        long limit = -1;
        boolean withValues = false;
        for (int j = 3; j < a.length; j++) {
            if (Args.is(a[j], "limit") && j + 1 < a.length) {
                limit = Args.integer(a[++j]);
            } else if (Args.is(a[j], "withvalues")) {
                withValues = true;
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        if (limit == 0 || (!start.infinite() && start.key() == null) || (!end.infinite() && end.key() == null)) {
            return Reply.EMPTY_ARRAY;
        }
        // [a → from a; (a → from the first key after a, which is a followed by a zero byte
        byte[] from = start.infinite() ? new byte[0] : start.inclusive() ? start.key() : successor(start.key());
        // [b → up to, excluding, b's successor; (b → up to, excluding, b; + → to the end of the db
        byte[] to = end.infinite() ? null : end.inclusive() ? successor(end.key()) : end.key();
        if (to != null && Arrays.compareUnsigned(from, to) >= 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<Keyspace.Entry> entries = ks.keyRange(s.db(), from, to, limit);
        List<Reply> out = new ArrayList<>(withValues ? entries.size() * 2 : entries.size());
        for (Keyspace.Entry e : entries) {
            out.add(Reply.bulk(e.key()));
            if (withValues) {
                out.add(e.meta().type() == ValueType.STRING ? Reply.bulk(e.meta().payload()) : Reply.NULL);
            }
        }
        return Reply.array(out);
    }

    private static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }
}
