package io.hyperkv.server;

import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandHandler;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.CommandTable;
import io.hyperkv.command.Dispatcher;
import io.hyperkv.command.Settings;
import io.hyperkv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The connection command family: AUTH, HELLO, CLIENT, SELECT, QUIT, RESET, PING, ECHO. They live
 * in the server because they change the state of the connection itself; arity, flags and every
 * error text are Redis 7.2's, since clients match on them.
 */
final class ConnectionCommands {

    /** Logical databases, as Redis's default {@code databases 16}. */
    static final int DATABASES = 16;

    /** Version reported by HELLO: the Redis version whose behaviour this server follows. */
    static final String REDIS_COMPAT_VERSION = "7.2.0";

    private static final Reply WRONGPASS = Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    private static final Reply SYNTAX = Reply.error("ERR syntax error");
    private static final Reply NOT_INTEGER = Reply.error("ERR value is not an integer or out of range");

    private final ConnectedClients clients;
    private final Settings settings;
    private final Reply mode;

    /** {@code clusterMode}: HELLO's {@code mode} is then {@code cluster}, as Redis says with cluster support enabled. */
    ConnectionCommands(ConnectedClients clients, Settings settings, boolean clusterMode) {
        this.clients = clients;
        this.settings = settings;
        this.mode = Reply.bulk(clusterMode ? "cluster" : "standalone");
    }

    /** The default user's password, or null when none is set (CONFIG SET requirepass may change it). */
    private byte[] requirepass() {
        String p = settings.requirepass();
        return p == null || p.isEmpty() ? null : p.getBytes(StandardCharsets.UTF_8);
    }

    void registerInto(CommandTable table) {
        Set<CommandFlag> auth = Set.of(CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE,
                CommandFlag.FAST, CommandFlag.NO_AUTH, CommandFlag.ALLOW_BUSY);
        Set<CommandFlag> info = Set.of(CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE);
        Set<CommandFlag> admin = Set.of(CommandFlag.ADMIN, CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE);
        Set<String> conn = Set.of("connection");
        Set<String> fastConn = Set.of("fast", "connection");
        Set<String> slowConn = Set.of("slow", "connection");
        Set<String> adminConn = Set.of("admin", "slow", "dangerous", "connection");

        table.register(spec("auth", -2, auth, fastConn, this::auth));
        table.register(spec("hello", -1, auth, fastConn, this::hello));
        table.register(spec("quit", -1, auth, fastConn, this::quit));
        table.register(spec("reset", 1, auth, fastConn, this::reset));
        table.register(spec("ping", -1, Set.of(CommandFlag.FAST), fastConn, this::ping));
        table.register(spec("echo", 2, Set.of(CommandFlag.FAST), fastConn, this::echo));
        table.register(spec("select", 2, Set.of(CommandFlag.LOADING, CommandFlag.STALE, CommandFlag.FAST), fastConn, this::select));

        List<CommandSpec> client = List.of(
                spec("client|id", 2, info, slowConn, (s, a) -> Reply.integer(s.id())),
                spec("client|getname", 2, info, slowConn, this::clientGetname),
                spec("client|setname", 3, info, slowConn, this::clientSetname),
                spec("client|list", -2, admin, adminConn, this::clientList),
                spec("client|info", 2, info, slowConn, this::clientInfo),
                spec("client|kill", -3, admin, adminConn, this::clientKill),
                spec("client|unblock", -3, admin, adminConn, this::clientUnblock),
                spec("client|setinfo", 4, info, slowConn, this::clientSetinfo),
                spec("client|no-evict", 3, admin, adminConn, this::clientNoEvict),
                spec("client|no-touch", 3, info, slowConn, this::clientNoTouch),
                spec("client|help", 2, Set.of(CommandFlag.LOADING, CommandFlag.STALE), slowConn, this::clientHelp));
        table.register(new CommandSpec("client", -2, Set.of(), 0, 0, 0, conn, null, client));
    }

    private static CommandSpec spec(String name, int arity, Set<CommandFlag> flags, Set<String> acl, CommandHandler handler) {
        return new CommandSpec(name, arity, flags, 0, 0, 0, acl, handler, List.of());
    }

    // ---------------------------------------------------------------- AUTH / HELLO

    private Reply auth(ClientSession session, byte[][] argv) {
        if (argv.length > 3) {
            return SYNTAX;
        }
        if (argv.length == 2 && requirepass() == null) {
            return Reply.error("ERR AUTH <password> called without any password configured for the default user."
                    + " Are you sure your configuration is correct?");
        }
        byte[] user = argv.length == 3 ? argv[1] : "default".getBytes(StandardCharsets.US_ASCII);
        byte[] pass = argv[argv.length - 1];
        if (!credentialsValid(user, pass)) {
            return WRONGPASS;
        }
        session.unwrap(Connection.class).authenticate(true);
        return Reply.OK;
    }

    /** Only the {@code default} user exists; without requirepass it accepts any password, as Redis's "nopass". */
    private boolean credentialsValid(byte[] user, byte[] pass) {
        if (!"default".equals(new String(user, StandardCharsets.UTF_8))) {
            return false;
        }
        // Constant-time comparison so response timing does not leak the password prefix.
        byte[] expected = requirepass();
        return expected == null || MessageDigest.isEqual(expected, pass);
    }

    private Reply hello(ClientSession session, byte[][] argv) {
        Connection c = session.unwrap(Connection.class);
        int version = c.protocol();
        if (argv.length >= 2) {
            long v;
            try {
                v = Long.parseLong(text(argv[1]));
            } catch (NumberFormatException e) {
                return Reply.error("ERR Protocol version is not an integer or out of range");
            }
            if (v < 2 || v > 3) {
                return Reply.error("NOPROTO unsupported protocol version");
            }
            version = (int) v;
        }
        byte[] user = null;
        byte[] pass = null;
        String setname = null;
        for (int j = 2; j < argv.length; j++) {
            int more = argv.length - 1 - j;
            String opt = text(argv[j]);
            if (opt.equalsIgnoreCase("auth") && more >= 2) {
                user = argv[j + 1];
                pass = argv[j + 2];
                j += 2;
            } else if (opt.equalsIgnoreCase("setname") && more >= 1) {
                setname = text(argv[j + 1]);
                if (!validAttribute(setname)) {
                    return Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
                }
                j++;
            } else {
                return Reply.error("ERR Syntax error in HELLO option '" + opt + "'");
            }
        }
        if (!c.authenticated() && user == null) {
            return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the"
                    + " HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select"
                    + " the RESP protocol version at the same time");
        }
        if (user != null) {
            if (!credentialsValid(user, pass)) {
                return WRONGPASS;
            }
            c.authenticate(true);
        }
        if (setname != null) {
            c.name(setname.isEmpty() ? null : setname);
        }
        c.protocol(version);
        return new Reply.MapReply(List.of(
                Reply.bulk("server"), Reply.bulk("redis"),
                Reply.bulk("version"), Reply.bulk(REDIS_COMPAT_VERSION),
                Reply.bulk("proto"), Reply.integer(version),
                Reply.bulk("id"), Reply.integer(c.id()),
                Reply.bulk("mode"), mode,
                Reply.bulk("role"), Reply.bulk("master"),
                Reply.bulk("modules"), Reply.EMPTY_ARRAY));
    }

    // ---------------------------------------------------------------- small connection commands

    private Reply quit(ClientSession session, byte[][] argv) {
        session.unwrap(Connection.class).closeAfterReply();
        return Reply.OK;
    }

    private Reply reset(ClientSession session, byte[][] argv) {
        Connection c = session.unwrap(Connection.class);
        c.transaction().reset();
        c.subscriptions().clear();
        c.subscriptionsChanged();
        c.selectDb(0);
        c.protocol(2);
        c.name(null);
        c.noEvict(false);
        c.noTouch(false);
        if (requirepass() != null) {
            c.authenticate(false);
        }
        return Reply.simple("RESET");
    }

    private Reply ping(ClientSession session, byte[][] argv) {
        if (argv.length > 2) {
            return Dispatcher.wrongArity("ping");
        }
        Connection c = session.unwrap(Connection.class);
        if (c.pubsubClient() && c.protocol() == 2) {
            // RESP2 subscriber mode: PING is answered in the shape of a pub/sub message, as Redis does.
            return Reply.array(List.of(Reply.bulk("pong"), Reply.bulk(argv.length == 1 ? new byte[0] : argv[1])));
        }
        return argv.length == 1 ? Reply.PONG : Reply.bulk(argv[1]);
    }

    private Reply echo(ClientSession session, byte[][] argv) {
        return Reply.bulk(argv[1]);
    }

    private Reply select(ClientSession session, byte[][] argv) {
        long index;
        try {
            index = Long.parseLong(text(argv[1]));
        } catch (NumberFormatException e) {
            return NOT_INTEGER;
        }
        if (index < 0 || index >= DATABASES) {
            return Reply.error("ERR DB index is out of range");
        }
        session.selectDb((int) index);
        return Reply.OK;
    }

    // ---------------------------------------------------------------- CLIENT

    private Reply clientGetname(ClientSession session, byte[][] argv) {
        return Reply.bulk(session.unwrap(Connection.class).name());
    }

    private Reply clientSetname(ClientSession session, byte[][] argv) {
        String name = text(argv[2]);
        if (!validAttribute(name)) {
            return Reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
        }
        session.unwrap(Connection.class).name(name.isEmpty() ? null : name);
        return Reply.OK;
    }

    private Reply clientSetinfo(ClientSession session, byte[][] argv) {
        String attr = text(argv[2]);
        String value = text(argv[3]);
        Connection c = session.unwrap(Connection.class);
        boolean libName = attr.equalsIgnoreCase("lib-name");
        if (!libName && !attr.equalsIgnoreCase("lib-ver")) {
            return Reply.error("ERR Unrecognized option '" + attr + "'");
        }
        if (!validAttribute(value)) {
            return Reply.error("ERR " + attr + " cannot contain spaces, newlines or special characters.");
        }
        if (libName) {
            c.libName(value.isEmpty() ? null : value);
        } else {
            c.libVer(value.isEmpty() ? null : value);
        }
        return Reply.OK;
    }

    private Reply clientInfo(ClientSession session, byte[][] argv) {
        return verbatim(session.unwrap(Connection.class).describe() + "\n");
    }

    private Reply clientList(ClientSession session, byte[][] argv) {
        List<Long> ids = null;
        boolean none = false;
        Boolean pubsub = null;
        for (int i = 2; i < argv.length; i++) {
            String opt = text(argv[i]);
            if (opt.equalsIgnoreCase("type") && i + 1 < argv.length) {
                String type = text(argv[++i]).toLowerCase(Locale.ROOT);
                switch (type) {
                    case "normal" -> pubsub = Boolean.FALSE;
                    case "pubsub" -> pubsub = Boolean.TRUE;
                    case "master", "replica", "slave" -> none = true;
                    default -> {
                        return Reply.error("ERR Unknown client type '" + text(argv[i]) + "'");
                    }
                }
            } else if (opt.equalsIgnoreCase("id") && i + 1 < argv.length) {
                ids = new ArrayList<>();
                for (i = i + 1; i < argv.length; i++) {
                    try {
                        long id = Long.parseLong(text(argv[i]));
                        if (id <= 0) {
                            throw new NumberFormatException();
                        }
                        ids.add(id);
                    } catch (NumberFormatException e) {
                        return Reply.error("ERR Invalid client ID");
                    }
                }
            } else {
                return SYNTAX;
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!none) {
            List<Connection> selected = new ArrayList<>();
            if (ids != null) {
                for (long id : ids) {
                    Connection c = clients.get(id);
                    if (c != null) {
                        selected.add(c);
                    }
                }
            } else {
                selected.addAll(clients.all());
                selected.sort((a, b) -> Long.compare(a.id(), b.id()));
            }
            for (Connection c : selected) {
                if (pubsub == null || pubsub == c.pubsubClient()) {
                    sb.append(c.describe()).append('\n');
                }
            }
        }
        return verbatim(sb.toString());
    }

    private Reply clientKill(ClientSession session, byte[][] argv) {
        Connection self = session.unwrap(Connection.class);
        if (argv.length == 3) {
            // Old form: CLIENT KILL addr:port, which may name the caller itself.
            String addr = text(argv[2]);
            for (Connection c : clients.all()) {
                if (c.addr().equals(addr)) {
                    killOne(self, c);
                    return Reply.OK;
                }
            }
            return Reply.error("ERR No such client");
        }
        Long id = null;
        String addr = null;
        String laddr = null;
        boolean skipme = true;
        boolean matchNothing = false;
        Boolean pubsub = null;
        Long maxAge = null;
        for (int i = 2; i < argv.length; i += 2) {
            if (i + 1 >= argv.length) {
                return SYNTAX;
            }
            String opt = text(argv[i]).toLowerCase(Locale.ROOT);
            String val = text(argv[i + 1]);
            switch (opt) {
                case "id" -> {
                    try {
                        id = Long.parseLong(val);
                    } catch (NumberFormatException e) {
                        id = 0L;
                    }
                    if (id <= 0) {
                        return Reply.error("ERR client-id should be greater than 0");
                    }
                }
                case "type" -> {
                    switch (val.toLowerCase(Locale.ROOT)) {
                        case "normal" -> pubsub = Boolean.FALSE;
                        case "pubsub" -> pubsub = Boolean.TRUE;
                        case "master", "replica", "slave" -> matchNothing = true;
                        default -> {
                            return Reply.error("ERR Unknown client type '" + val + "'");
                        }
                    }
                }
                case "addr" -> addr = val;
                case "laddr" -> laddr = val;
                case "user" -> {
                    if (!val.equals("default")) {
                        return Reply.error("ERR No such user '" + val + "'");
                    }
                }
                case "skipme" -> {
                    if (val.equalsIgnoreCase("yes")) {
                        skipme = true;
                    } else if (val.equalsIgnoreCase("no")) {
                        skipme = false;
                    } else {
                        return SYNTAX;
                    }
                }
                case "maxage" -> {
                    try {
                        maxAge = Long.parseLong(val);
                    } catch (NumberFormatException e) {
                        return NOT_INTEGER;
                    }
                }
                default -> {
                    return SYNTAX;
                }
            }
        }
        long killed = 0;
        if (!matchNothing) {
            for (Connection c : clients.all()) {
                if ((id != null && c.id() != id)
                        || (addr != null && !c.addr().equals(addr))
                        || (laddr != null && !c.laddr().equals(laddr))
                        || (maxAge != null && c.ageSeconds() < maxAge)
                        || (pubsub != null && pubsub != c.pubsubClient())
                        || (skipme && c == self)) {
                    continue;
                }
                killOne(self, c);
                killed++;
            }
        }
        return Reply.integer(killed);
    }

    /** CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked (its block then ends), else 0. */
    private Reply clientUnblock(ClientSession session, byte[][] argv) {
        if (argv.length > 4) {
            return Dispatcher.wrongArity("client|unblock");
        }
        boolean error = false;
        if (argv.length == 4) {
            String reason = text(argv[3]);
            if (reason.equalsIgnoreCase("error")) {
                error = true;
            } else if (!reason.equalsIgnoreCase("timeout")) {
                return Reply.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            }
        }
        long id;
        try {
            id = Long.parseLong(text(argv[2]));
        } catch (NumberFormatException e) {
            return NOT_INTEGER;
        }
        Connection target = clients.get(id);
        return target != null && target.unblockByRequest(error) ? Reply.ONE : Reply.ZERO;
    }

    private static void killOne(Connection self, Connection target) {
        if (target == self) {
            self.closeAfterReply();
        } else {
            target.kill();
        }
    }

    private Reply clientNoEvict(ClientSession session, byte[][] argv) {
        Boolean on = onOff(argv[2]);
        if (on == null) {
            return SYNTAX;
        }
        session.unwrap(Connection.class).noEvict(on);
        return Reply.OK;
    }

    private Reply clientNoTouch(ClientSession session, byte[][] argv) {
        Boolean on = onOff(argv[2]);
        if (on == null) {
            return SYNTAX;
        }
        session.unwrap(Connection.class).noTouch(on);
        return Reply.OK;
    }

    private Reply clientHelp(ClientSession session, byte[][] argv) {
        String[] lines = {
            "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "    * ID <client-id>",
            "      Kill connections by client id.",
            "    * MAXAGE <maxage>",
            "      Kill connections older than the specified age.",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "    * ID <client-id> [<client-id> ...]",
            "      Return clients of specified IDs only.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "SETINFO <option> <value>",
            "    Set client meta attr. Options are:",
            "    * LIB-NAME: the client lib name.",
            "    * LIB-VER: the client lib version.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
            "NO-TOUCH (ON|OFF)",
            "    Will not touch LRU/LFU stats when this mode is on.",
            "HELP",
            "    Print this help."};
        List<Reply> items = new ArrayList<>(lines.length);
        for (String line : lines) {
            items.add(Reply.simple(line));
        }
        return Reply.array(items);
    }

    // ---------------------------------------------------------------- helpers

    private static Boolean onOff(byte[] arg) {
        String v = text(arg);
        if (v.equalsIgnoreCase("on")) {
            return Boolean.TRUE;
        }
        if (v.equalsIgnoreCase("off")) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** Redis accepts names and lib attributes made of printable ASCII without spaces. */
    private static boolean validAttribute(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch < '!' || ch > '~') {
                return false;
            }
        }
        return true;
    }

    private static Reply verbatim(String text) {
        return new Reply.Verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
