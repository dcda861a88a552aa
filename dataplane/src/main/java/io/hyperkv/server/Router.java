package io.hyperkv.server;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.Dispatcher;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeySlot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where a client's command runs in cluster mode (DESIGN.md section 5): here when this node owns the slot of its keys,
 * else on an owner it is forwarded to ({@link Forwarder}). Redis Cluster's rules for keys in several slots:
 * <ul>
 *   <li>MGET, MSET, DEL, UNLINK, EXISTS and TOUCH are split per slot; the parts this node owns run here, the others
 *       on their owners, and the replies are recombined in key order (MGET's values, the sum of the counts, MSET's
 *       OK or the first error).</li>
 *   <li>Any other command whose keys are in different slots gets {@code -CROSSSLOT}, even when this node owns them
 *       all, as Redis Cluster answers whatever the node.</li>
 *   <li>Inside MULTI, a command whose own keys span slots is refused when queued ({@code -CROSSSLOT}, and EXEC then
 *       answers EXECABORT); commands queued on different slots make EXEC answer {@code -CROSSSLOT} and discard the
 *       transaction. A transaction on one slot this node does not own is sent whole (MULTI, its commands, EXEC) to an
 *       owner; its WATCHed keys are checked here only.</li>
 * </ul>
 * A read of keys this node owns runs here, at once when {@code read-consistency} is one, else after merging the
 * state other owners hold ({@link QuorumReads}). Commands without keys, and commands that neither read nor write
 * keys (pub/sub, WATCH), run here. An owner is picked
 * in the slot's preference order among those the bus sees up, this node excepted; with none up the command gets
 * {@code -CLUSTERDOWN}.
 *
 * <p>Stateless apart from its collaborators; called on the thread running the command.
 */
final class Router {

    static final Reply CROSSSLOT = Reply.error("CROSSSLOT Keys in request don't hash to the same slot");

    private static final Set<String> SPLIT = Set.of("mget", "mset", "del", "unlink", "exists", "touch");
    /** {@link #slotOf}: the command names no key. */
    private static final int NONE = -1;
    /** {@link #slotOf}: the command's keys are in more than one slot. */
    private static final int CROSS = -2;

    private final NodeId self;
    private final Coordinator coordinator;
    private final Forwarder forwarder;

    Router(NodeId self, Coordinator coordinator, Forwarder forwarder) {
        this.self = self;
        this.coordinator = coordinator;
        this.forwarder = forwarder;
    }

    /**
     * Routes one command about to run on {@code c}: null when it runs here as usual, else its reply; a reply that comes
     * later is announced with {@link Connection#replyLater} (the value returned is then ignored).
     */
    Reply route(Connection c, CommandSpec spec, byte[][] argv) {
        Topology t = coordinator.topology().get().orElse(null);
        if (spec == null || t == null || c.dispatcher().check(c, argv) != null) {
            return null; // the dispatcher answers unknown commands, NOAUTH and arity errors
        }
        if (spec.name().equals("exec")) {
            return routeExec(c, t);
        }
        int[] positions = routedKeys(spec, argv);
        if (positions.length == 0) {
            return null;
        }
        int slot = KeySlot.of(argv[positions[0]]);
        boolean oneSlot = true;
        boolean allHere = t.owns(self, slot);
        for (int i = 1; i < positions.length; i++) {
            int s = KeySlot.of(argv[positions[i]]);
            oneSlot &= s == slot;
            allHere &= t.owns(self, s);
        }
        if (!oneSlot && !SPLIT.contains(spec.name())) {
            return CROSSSLOT;
        }
        if (!allHere) {
            return oneSlot ? forward(c, spec, t, slot, argv) : split(c, spec, t, argv, positions);
        }
        return spec.has(CommandFlag.READONLY) ? quorumRead(c, t, argv, positions) : null;
    }

    /**
     * A read of keys this node owns, at R above one: it runs here once the state R-1 other owners hold for its keys
     * is merged ({@link QuorumReads}); null when R is one.
     */
    private Reply quorumRead(Connection c, Topology t, byte[][] argv, int[] positions) {
        QuorumReads reads = coordinator.reads();
        Map<List<NodeId>, List<byte[]>> byOwners = new LinkedHashMap<>();
        for (int p : positions) {
            List<NodeId> owners = t.ownersOf(KeySlot.of(argv[p]));
            if (!reads.local(owners)) {
                byOwners.computeIfAbsent(owners, o -> new ArrayList<>()).add(argv[p]);
            }
        }
        if (byOwners.isEmpty()) {
            return null;
        }
        List<CompletableFuture<Void>> repairs = new ArrayList<>();
        byOwners.forEach((owners, keys) -> repairs.add(reads.repair(owners,
                id -> coordinator.peerState(id) == PeerState.UP, coordinator.fetch(), c.db(), keys)));
        c.runWhen(CompletableFuture.allOf(repairs.toArray(new CompletableFuture<?>[0])), argv);
        return Reply.OK;
    }

    /** {@code -CROSSSLOT} for a command MULTI is queueing whose keys span slots; null when it may be queued. */
    Reply refuseQueued(Connection c, CommandSpec spec, byte[][] argv) {
        if (spec == null || c.dispatcher().check(c, argv) != null) {
            return null;
        }
        return slotOf(spec, argv) == CROSS ? CROSSSLOT : null;
    }

    /** The one slot of the command's keys, {@link #NONE} without keys, {@link #CROSS} when they span slots. */
    private static int slotOf(CommandSpec spec, byte[][] argv) {
        int slot = NONE;
        for (int p : routedKeys(spec, argv)) {
            int s = KeySlot.of(argv[p]);
            if (slot != NONE && s != slot) {
                return CROSS;
            }
            slot = s;
        }
        return slot;
    }

    private static int[] routedKeys(CommandSpec spec, byte[][] argv) {
        boolean keyed = (spec.has(CommandFlag.WRITE) || spec.has(CommandFlag.READONLY)) && !spec.has(CommandFlag.PUBSUB);
        return keyed ? spec.keyPositions(argv) : new int[0];
    }

    private Reply routeExec(Connection c, Topology t) {
        Transaction tx = c.transaction();
        if (!tx.active()) {
            return null;
        }
        int slot = NONE;
        for (int i = 0; i < tx.queued().size(); i++) {
            int s = slotOf(tx.specs().get(i), tx.queued().get(i));
            if (s == CROSS || s != NONE && slot != NONE && s != slot) {
                tx.reset();
                return CROSSSLOT;
            }
            slot = s == NONE ? slot : s;
        }
        if (slot == NONE || t.owns(self, slot) || tx.aborted() || tx.dirty()) {
            // run here: a WATCHed key touched here (or whose slot this node dropped) fails the EXEC, as in Redis
            return null;
        }
        ClusterNode owner = owner(t, slot);
        if (owner == null) {
            tx.reset();
            return clusterDown(slot);
        }
        List<byte[][]> commands = new ArrayList<>();
        commands.add(new byte[][] {bytes("MULTI")});
        commands.addAll(tx.queued());
        commands.add(new byte[][] {bytes("EXEC")});
        tx.reset();
        c.replyLater(forwarder.forwardAlone(owner, c.db(), c.protocol(), commands));
        return Reply.OK;
    }

    private Reply forward(Connection c, CommandSpec spec, Topology t, int slot, byte[][] argv) {
        ClusterNode owner = owner(t, slot);
        if (owner == null) {
            return clusterDown(slot);
        }
        c.replyLater(spec.has(CommandFlag.BLOCKING)
                ? forwarder.forwardAlone(owner, c.db(), c.protocol(), List.<byte[][]>of(argv))
                : forwarder.forward(owner, c.db(), c.protocol(), argv));
        return Reply.OK;
    }

    /**
     * Runs a splittable command one slot at a time: parts this node owns now (on this thread, so what they write is
     * replicated with the command), the others on their owners; the reply is recombined once all are in.
     */
    private Reply split(Connection c, CommandSpec spec, Topology t, byte[][] argv, int[] positions) {
        boolean pairs = spec.name().equals("mset");
        Map<Integer, List<Integer>> bySlot = new LinkedHashMap<>();
        for (int i = 0; i < positions.length; i++) {
            bySlot.computeIfAbsent(KeySlot.of(argv[positions[i]]), s -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groups = new ArrayList<>(bySlot.values());
        List<CompletableFuture<Reply>> parts = new ArrayList<>(groups.size());
        Dispatcher dispatcher = c.dispatcher();
        for (Map.Entry<Integer, List<Integer>> group : bySlot.entrySet()) {
            List<byte[]> sub = new ArrayList<>();
            sub.add(argv[0]);
            for (int i : group.getValue()) {
                sub.add(argv[positions[i]]);
                if (pairs) {
                    sub.add(argv[positions[i] + 1]);
                }
            }
            byte[][] part = sub.toArray(new byte[0][]);
            int slot = group.getKey();
            if (t.owns(self, slot)) {
                parts.add(CompletableFuture.completedFuture(dispatcher.dispatch(c, part)));
            } else {
                ClusterNode owner = owner(t, slot);
                parts.add(owner == null ? CompletableFuture.completedFuture(clusterDown(slot))
                        : forwarder.forward(owner, c.db(), c.protocol(), part));
            }
        }
        Function<List<Reply>, Reply> combine = switch (spec.name()) {
            case "mget" -> replies -> mget(replies, groups, positions.length);
            case "mset" -> Router::allOk;
            default -> Router::sum;
        };
        c.replyLater(CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> combine.apply(parts.stream().map(CompletableFuture::join).toList())));
        return Reply.OK;
    }

    /** MGET's values back in key order: part {@code g} answered the keys {@code groups.get(g)}, in order. */
    static Reply mget(List<Reply> replies, List<List<Integer>> groups, int keys) {
        Reply[] values = new Reply[keys];
        for (int g = 0; g < replies.size(); g++) {
            if (!(replies.get(g) instanceof Reply.Array a) || a.items().size() != groups.get(g).size()) {
                return replies.get(g) instanceof Reply.Error ? replies.get(g)
                        : Reply.error("ERR unexpected reply from an owner: " + replies.get(g));
            }
            for (int i = 0; i < a.items().size(); i++) {
                values[groups.get(g).get(i)] = a.items().get(i);
            }
        }
        return Reply.array(List.of(values));
    }

    /** DEL, UNLINK, EXISTS, TOUCH: the counts added up; the first error wins. */
    static Reply sum(List<Reply> replies) {
        long total = 0;
        for (Reply r : replies) {
            if (!(r instanceof Reply.Int n)) {
                return r instanceof Reply.Error ? r : Reply.error("ERR unexpected reply from an owner: " + r);
            }
            total += n.value();
        }
        return Reply.integer(total);
    }

    /** MSET: OK when every part said OK, else the first other reply. */
    static Reply allOk(List<Reply> replies) {
        for (Reply r : replies) {
            if (!Reply.OK.equals(r)) {
                return r;
            }
        }
        return Reply.OK;
    }

    /** The first owner of {@code slot} other than this node that the bus sees UP, or null. */
    private ClusterNode owner(Topology t, int slot) {
        for (NodeId id : t.ownersOf(slot)) {
            if (!id.equals(self) && coordinator.peerState(id) == PeerState.UP) {
                return t.node(id).orElse(null);
            }
        }
        return null;
    }

    private static Reply clusterDown(int slot) {
        return Reply.error("CLUSTERDOWN no owner of hash slot " + slot + " is reachable from this node");
    }

    private static byte[] bytes(String word) {
        return word.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
