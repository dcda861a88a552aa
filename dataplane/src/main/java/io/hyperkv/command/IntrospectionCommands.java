package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.LOADING;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.STALE;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Glob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * {@code COMMAND} and its subcommands, read from the live {@link CommandTable} at call time, so
 * commands the server registers after the store's families appear too. Key specifications are
 * derived from first/last/step (one "range" spec, RO for read-only commands, RW otherwise); Redis's
 * finer access flags are not modelled. DOCS gives each command its group, derived from its ACL
 * categories, without summaries.
 */
final class IntrospectionCommands extends Family {

    private static final List<String> HELP = List.of(
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "HELP",
            "    Prints this help.");

    private CommandTable table;

    @Override
    void register(CommandTable t) {
        this.table = t;
        t.register(cmd("command", -1).flags(LOADING, STALE, SLOW_PATH).acl("slow", "connection").handler(guarded(this::command))
                .sub(cmd("command|count", 2).flags(LOADING, STALE).acl("slow", "connection").handler(guarded((s, a) -> Reply.integer(table.size()))).build())
                .sub(cmd("command|info", -2).flags(LOADING, STALE, SLOW_PATH).acl("slow", "connection").handler(guarded(this::info)).build())
                .sub(cmd("command|docs", -2).flags(LOADING, STALE, SLOW_PATH).acl("slow", "connection").handler(guarded(this::docs)).build())
                .sub(cmd("command|list", -2).flags(LOADING, STALE, SLOW_PATH).acl("slow", "connection").handler(guarded(this::list)).build())
                .sub(cmd("command|getkeys", -4).flags(LOADING, STALE).acl("slow", "connection").handler(guarded(this::getkeys)).build())
                .sub(cmd("command|help", 2).flags(LOADING, STALE).acl("slow", "connection").handler((s, a) -> KeyCommands.help(HELP)).build())
                .build());
    }

    /** COMMAND itself has a handler (no arguments: every command); with arguments the subcommand runs. */
    private Reply command(ClientSession s, byte[][] a) {
        if (a.length == 1) {
            return Reply.array(sorted().stream().map(IntrospectionCommands::describe).toList());
        }
        CommandSpec sub = CommandTable.subcommand(table.lookup("command"), a[1]);
        if (sub == null) {
            return Reply.error("ERR unknown subcommand '" + Args.text(a[1]) + "'. Try COMMAND HELP.");
        }
        if (!sub.arityAccepts(a.length)) {
            return Dispatcher.wrongArity(sub.name());
        }
        return sub.handler().handle(s, a);
    }

    private List<CommandSpec> sorted() {
        List<CommandSpec> all = new ArrayList<>(table.all());
        all.sort(Comparator.comparing(CommandSpec::name));
        return all;
    }

    private CommandSpec find(String name) {
        int bar = name.indexOf('|');
        if (bar < 0) {
            return table.lookup(name);
        }
        CommandSpec parent = table.lookup(name.substring(0, bar));
        return parent == null ? null : CommandTable.subcommand(parent, name.substring(bar + 1).getBytes(StandardCharsets.UTF_8));
    }

    private Reply info(ClientSession s, byte[][] a) {
        if (a.length == 2) {
            return Reply.array(sorted().stream().map(IntrospectionCommands::describe).toList());
        }
        List<Reply> out = new ArrayList<>();
        for (int i = 2; i < a.length; i++) {
            CommandSpec spec = find(Args.lower(a[i]));
            out.add(spec == null ? Reply.NULL_ARRAY : describe(spec));
        }
        return Reply.array(out);
    }

    static Reply describe(CommandSpec spec) {
        List<Reply> flags = new ArrayList<>();
        for (CommandFlag f : CommandFlag.values()) {
            if (spec.has(f) && f.redisName() != null) {
                flags.add(Reply.simple(f.redisName()));
            }
        }
        if (spec.movableKeys()) {
            flags.add(Reply.simple("movablekeys"));
        }
        List<Reply> acl = new ArrayList<>();
        List<String> categories = new ArrayList<>(spec.aclCategories());
        categories.sort(Comparator.comparingInt(IntrospectionCommands::aclOrder));
        for (String c : categories) {
            acl.add(Reply.simple(c));
        }
        List<Reply> subs = new ArrayList<>();
        for (CommandSpec sub : spec.subcommands()) {
            subs.add(describe(sub));
        }
        return Reply.array(List.of(
                Reply.bulk(spec.name()),
                Reply.integer(spec.arity()),
                new Reply.SetReply(flags),
                Reply.integer(spec.firstKey()),
                Reply.integer(spec.lastKey()),
                Reply.integer(spec.step()),
                new Reply.SetReply(acl),
                // Redis 7.0 sends tips, key specs and subcommands as RESP3 sets
                new Reply.SetReply(List.of()),
                keySpecs(spec),
                new Reply.SetReply(subs)));
    }

    /** Redis prints ACL categories in the order of their bits. */
    private static final List<String> ACL_ORDER = List.of("@keyspace", "@read", "@write", "@set", "@sortedset", "@list",
            "@hash", "@string", "@bitmap", "@hyperloglog", "@geo", "@stream", "@pubsub", "@admin", "@fast", "@slow",
            "@blocking", "@dangerous", "@connection", "@transaction", "@scripting");

    private static int aclOrder(String category) {
        int i = ACL_ORDER.indexOf(category);
        return i < 0 ? ACL_ORDER.size() : i;
    }

    private static Reply keySpecs(CommandSpec spec) {
        if (spec.firstKey() <= 0) {
            return new Reply.SetReply(List.of());
        }
        boolean readOnly = spec.has(CommandFlag.READONLY);
        Reply flags = new Reply.SetReply(List.of(Reply.simple(readOnly ? "RO" : "RW"), Reply.simple(readOnly ? "access" : "update")));
        Reply begin = new Reply.MapReply(List.of(
                Reply.bulk("type"), Reply.bulk("index"),
                Reply.bulk("spec"), new Reply.MapReply(List.of(Reply.bulk("index"), Reply.integer(spec.firstKey())))));
        int last = spec.lastKey() < 0 ? spec.lastKey() : spec.lastKey() - spec.firstKey();
        Reply find = new Reply.MapReply(List.of(
                Reply.bulk("type"), Reply.bulk("range"),
                Reply.bulk("spec"), new Reply.MapReply(List.of(
                        Reply.bulk("lastkey"), Reply.integer(last),
                        Reply.bulk("keystep"), Reply.integer(spec.step()),
                        Reply.bulk("limit"), Reply.integer(0)))));
        return new Reply.SetReply(List.of(new Reply.MapReply(List.of(
                Reply.bulk("flags"), flags, Reply.bulk("begin_search"), begin, Reply.bulk("find_keys"), find))));
    }

    private Reply docs(ClientSession s, byte[][] a) {
        List<CommandSpec> specs = new ArrayList<>();
        if (a.length == 2) {
            specs.addAll(sorted());
        } else {
            for (int i = 2; i < a.length; i++) {
                CommandSpec spec = find(Args.lower(a[i]));
                if (spec != null) {
                    specs.add(spec);
                }
            }
        }
        List<Reply> kv = new ArrayList<>();
        for (CommandSpec spec : specs) {
            kv.add(Reply.bulk(spec.name()));
            kv.add(doc(spec));
        }
        return new Reply.MapReply(kv);
    }

    private static Reply doc(CommandSpec spec) {
        List<Reply> kv = new ArrayList<>(List.of(Reply.bulk("group"), Reply.bulk(group(spec))));
        if (!spec.subcommands().isEmpty()) {
            List<Reply> subs = new ArrayList<>();
            for (CommandSpec sub : spec.subcommands()) {
                subs.add(Reply.bulk(sub.name()));
                subs.add(doc(sub));
            }
            kv.add(Reply.bulk("subcommands"));
            kv.add(new Reply.MapReply(subs));
        }
        return new Reply.MapReply(kv);
    }

    /** Connection commands Redis documents in the cluster group although their ACL category is connection. */
    private static final Set<String> CLUSTER_CONNECTION = Set.of("readonly", "readwrite");

    /** Redis's documentation group, from the data-type ACL category the command carries. */
    static String group(CommandSpec spec) {
        if (CLUSTER_CONNECTION.contains(spec.name())) {
            return "cluster";
        }
        String[][] map = {{"@string", "string"}, {"@hash", "hash"}, {"@list", "list"}, {"@set", "set"},
            {"@sortedset", "sorted-set"}, {"@stream", "stream"}, {"@bitmap", "bitmap"}, {"@hyperloglog", "hyperloglog"},
            {"@geo", "geo"}, {"@pubsub", "pubsub"}, {"@transaction", "transactions"}, {"@scripting", "scripting"},
            {"@connection", "connection"}, {"@keyspace", "generic"}};
        for (String[] m : map) {
            if (spec.aclCategories().contains(m[0])) {
                return m[1];
            }
        }
        return spec.name().startsWith("cluster") ? "cluster" : "server";
    }

    private Reply list(ClientSession s, byte[][] a) {
        String kind = null;
        byte[] value = null;
        if (a.length != 2) {
            if (a.length != 5 || !Args.is(a[2], "filterby")) {
                return Reply.error(Errors.SYNTAX);
            }
            kind = Args.lower(a[3]);
            value = a[4];
            if (!kind.equals("module") && !kind.equals("aclcat") && !kind.equals("pattern")) {
                return Reply.error(Errors.SYNTAX);
            }
        }
        List<Reply> out = new ArrayList<>();
        for (CommandSpec spec : sorted()) {
            addIfMatches(spec, kind, value, out);
            for (CommandSpec sub : spec.subcommands()) {
                addIfMatches(sub, kind, value, out);
            }
        }
        return Reply.array(out);
    }

    private static void addIfMatches(CommandSpec spec, String kind, byte[] value, List<Reply> out) {
        boolean ok;
        if (kind == null) {
            ok = true;
        } else if (kind.equals("module")) {
            ok = false; // no modules
        } else if (kind.equals("aclcat")) {
            ok = spec.aclCategories().contains("@" + Args.lower(value));
        } else {
            ok = Glob.matches(value, spec.name().getBytes(StandardCharsets.UTF_8), true);
        }
        if (ok) {
            out.add(Reply.bulk(spec.name()));
        }
    }

    private Reply getkeys(ClientSession s, byte[][] a) {
        byte[][] argv = java.util.Arrays.copyOfRange(a, 2, a.length);
        CommandSpec spec = table.lookup(argv[0]);
        if (spec == null) {
            return Reply.error("ERR Invalid command specified");
        }
        if (!spec.subcommands().isEmpty() && argv.length > 1) {
            CommandSpec sub = CommandTable.subcommand(spec, argv[1]);
            if (sub != null) {
                spec = sub;
            }
        }
        if (!spec.arityAccepts(argv.length)) {
            return Reply.error("ERR Invalid number of arguments specified for command");
        }
        if (spec.firstKey() <= 0 && !spec.movableKeys()) {
            return Reply.error("ERR The command has no key arguments");
        }
        int[] positions = spec.keyPositions(argv);
        if (positions.length == 0 && spec.movableKeys()) {
            return Reply.error("ERR Invalid arguments specified for command");
        }
        List<Reply> keys = new ArrayList<>();
        for (int p : positions) {
            keys.add(Reply.bulk(argv[p]));
        }
        return Reply.array(keys);
    }
}
