package io.hyperkv.server;

import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandHandler;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.CommandTable;
import io.hyperkv.resp.Reply;
import io.hyperkv.server.PubSubHub.Kind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The pub/sub command family: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE SUNSUBSCRIBE
 * PUBLISH SPUBLISH and PUBSUB. It lives in the server because subscriptions are connection state.
 * Replies follow Redis 7.0: one confirmation per channel ({@code [subscribe, channel, count]}, a
 * push frame in RESP3), where the count is the client's channels plus patterns (shard channels
 * alone for the S commands); UNSUBSCRIBE without arguments leaves every channel of its kind, or
 * confirms with a null channel when there was none. On one node the shard commands behave as
 * Redis standalone: their own namespace, no pattern matching. Where messages go beyond this node, and which shard
 * channels this node serves, is the {@link PubSubRoute}'s business (cluster mode: {@link ClusterPubSub}).
 */
final class PubSubCommands {

    private final PubSubHub hub;
    private final PubSubRoute route;

    PubSubCommands(PubSubHub hub, PubSubRoute route) {
        this.hub = hub;
        this.route = route;
    }

    void registerInto(CommandTable table) {
        Set<CommandFlag> sub = Set.of(CommandFlag.PUBSUB, CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE);
        Set<CommandFlag> pub = Set.of(CommandFlag.PUBSUB, CommandFlag.LOADING, CommandFlag.STALE, CommandFlag.FAST);
        Set<CommandFlag> info = Set.of(CommandFlag.PUBSUB, CommandFlag.LOADING, CommandFlag.STALE);
        Set<String> slow = Set.of("@pubsub", "@slow");
        Set<String> fast = Set.of("@pubsub", "@fast");

        table.register(spec("subscribe", -2, sub, 0, 0, 0, slow, (s, a) -> subscribe(s, a, Kind.CHANNEL)));
        table.register(spec("psubscribe", -2, sub, 0, 0, 0, slow, (s, a) -> subscribe(s, a, Kind.PATTERN)));
        table.register(spec("ssubscribe", -2, sub, 1, -1, 1, slow, (s, a) -> subscribe(s, a, Kind.SHARD)));
        table.register(spec("unsubscribe", -1, sub, 0, 0, 0, slow, (s, a) -> unsubscribe(s, a, Kind.CHANNEL)));
        table.register(spec("punsubscribe", -1, sub, 0, 0, 0, slow, (s, a) -> unsubscribe(s, a, Kind.PATTERN)));
        table.register(spec("sunsubscribe", -1, sub, 1, -1, 1, slow, (s, a) -> unsubscribe(s, a, Kind.SHARD)));
        table.register(spec("publish", 3, pub, 0, 0, 0, fast, (s, a) -> Reply.integer(route.publish(a[1], a[2]))));
        table.register(spec("spublish", 3, pub, 1, 1, 1, fast, (s, a) -> spublish(a)));

        List<CommandSpec> subcommands = List.of(
                spec("pubsub|channels", -2, info, 0, 0, 0, slow, (s, a) -> channels(a, Kind.CHANNEL)),
                spec("pubsub|shardchannels", -2, info, 0, 0, 0, slow, (s, a) -> channels(a, Kind.SHARD)),
                spec("pubsub|numsub", -2, info, 0, 0, 0, slow, (s, a) -> numsub(a, Kind.CHANNEL)),
                spec("pubsub|shardnumsub", -2, info, 0, 0, 0, slow, (s, a) -> numsub(a, Kind.SHARD)),
                spec("pubsub|numpat", 2, info, 0, 0, 0, slow, (s, a) -> Reply.integer(hub.patternCount())),
                spec("pubsub|help", 2, Set.of(CommandFlag.LOADING, CommandFlag.STALE), 0, 0, 0, Set.of("@slow"),
                        (s, a) -> help()));
        table.register(new CommandSpec("pubsub", -2, Set.of(), 0, 0, 0, Set.of("@slow"), null, subcommands));
    }

    private static CommandSpec spec(String name, int arity, Set<CommandFlag> flags, int first, int last, int step,
                                    Set<String> acl, CommandHandler handler) {
        return new CommandSpec(name, arity, flags, first, last, step, acl, handler, List.of());
    }

    // ---------------------------------------------------------------- (un)subscribing

    private Reply spublish(byte[][] argv) {
        Reply refused = route.shardRefusal(argv, 1);
        return refused != null ? refused : Reply.integer(route.spublish(argv[1], argv[2]));
    }

    private Reply subscribe(ClientSession session, byte[][] argv, Kind kind) {
        Reply refused = kind == Kind.SHARD ? route.shardRefusal(argv, argv.length - 1) : null;
        if (refused != null) {
            return refused;
        }
        Connection c = session.unwrap(Connection.class);
        Subscriptions subs = c.subscriptions();
        Reply last = null;
        for (int i = 1; i < argv.length; i++) {
            subs.subscribe(kind, argv[i]);
            c.subscriptionsChanged();
            last = confirm(c, last, kind.subscribeWord, Reply.bulk(argv[i]), subs.confirmationCount(kind));
        }
        return last;
    }

    private Reply unsubscribe(ClientSession session, byte[][] argv, Kind kind) {
        Reply refused = kind == Kind.SHARD ? route.shardRefusal(argv, argv.length - 1) : null;
        if (refused != null) {
            return refused;
        }
        Connection c = session.unwrap(Connection.class);
        Subscriptions subs = c.subscriptions();
        List<byte[]> names = new ArrayList<>();
        if (argv.length == 1) {
            names.addAll(subs.names(kind));
            if (names.isEmpty()) {
                return frame(kind.unsubscribeWord, Reply.NULL, subs.confirmationCount(kind));
            }
        } else {
            for (int i = 1; i < argv.length; i++) {
                names.add(argv[i]);
            }
        }
        Reply last = null;
        for (byte[] name : names) {
            subs.unsubscribe(kind, name);
            c.subscriptionsChanged();
            last = confirm(c, last, kind.unsubscribeWord, Reply.bulk(name), subs.confirmationCount(kind));
        }
        return last;
    }

    /** Emits the previous confirmation and returns the new one: the last goes out as the command's reply. */
    private static Reply confirm(Connection c, Reply previous, Reply word, Reply name, int count) {
        if (previous != null) {
            c.pushReply(previous);
        }
        return frame(word, name, count);
    }

    private static Reply frame(Reply word, Reply name, int count) {
        return new Reply.Push(List.of(word, name, Reply.integer(count)));
    }

    // ---------------------------------------------------------------- PUBSUB

    private Reply channels(byte[][] argv, Kind kind) {
        if (argv.length > 3) {
            return syntax(argv);
        }
        List<Reply> items = new ArrayList<>();
        for (byte[] name : hub.channels(kind, argv.length == 3 ? argv[2] : null)) {
            items.add(Reply.bulk(name));
        }
        return Reply.array(items);
    }

    private Reply numsub(byte[][] argv, Kind kind) {
        List<Reply> items = new ArrayList<>();
        for (int i = 2; i < argv.length; i++) {
            items.add(Reply.bulk(argv[i]));
            items.add(Reply.integer(hub.subscribers(kind, argv[i])));
        }
        return Reply.array(items);
    }

    private static Reply syntax(byte[][] argv) {
        return Reply.error("ERR unknown subcommand or wrong number of arguments for '"
                + new String(argv[1], StandardCharsets.UTF_8) + "'. Try "
                + new String(argv[0], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT) + " HELP.");
    }

    private static Reply help() {
        String[] lines = {
            "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
            "HELP",
            "    Prints this help."};
        List<Reply> items = new ArrayList<>(lines.length);
        for (String line : lines) {
            items.add(Reply.simple(line));
        }
        return Reply.array(items);
    }
}
