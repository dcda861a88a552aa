package io.hyperkv.cluster.bus;

import static io.hyperkv.cluster.bus.BusFrames.ascii;
import static io.hyperkv.cluster.bus.BusFrames.text;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.InvalidTopologyException;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.cluster.StaticBootstrap;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import io.hyperkv.resp.RespDecoder;
import io.hyperkv.resp.RespProtocolException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One node's end of the replication bus: its outbound links to every peer, the connections peers open to it, failure
 * detection, topology gossip and the static-list bootstrap, and acknowledged delta delivery. Protocol only; the
 * network, timers and threads come from a {@link Transport}.
 *
 * <h2>Connections</h2>
 * Each node dials every peer (the static list until a topology is in force, then the topology's members) and keeps
 * that outbound link open, reconnecting with capped exponential backoff. What a node sends (deltas, pings, gossip)
 * goes on its outbound link; the answers (acks, pongs) come back on it. A connection a peer opened to this node carries
 * that peer's traffic and this node's answers. Every connection starts with a {@link Handshake}; the static list may
 * hold this node's own address, which it recognises when its own id answers, and then stops dialing.
 *
 * <h2>Failure detection</h2>
 * Only the answers on this node's outbound link count ({@code HKV.PONG}, acks, the handshake): a peer is UP when this
 * node can reach it, which is what routing and hints need. A DOWN peer's link is closed and redialed, and its
 * queued deltas fail with {@link PeerUnavailableException} so the caller hints them.
 *
 * <h2>Deltas</h2>
 * {@link #send} queues a batch on the peer's bounded {@link OutboundQueue} or refuses it at once; batches are
 * written in sequence order, at most a window in flight, and after a reconnect the unacknowledged ones are sent again
 * (at-least-once, in order per link). The receiver hands each batch to the {@link DeltaHandler} as it arrives, in
 * arrival order and without waiting for the previous one's future, and acknowledges the batches in sequence order,
 * each once its own future and the previous acknowledgement are done; while too many batches are pending it stops
 * reading.
 *
 * <h2>Topology</h2>
 * {@code HKV.PING}/{@code PONG} and the handshake carry the epoch in force; the side with the higher epoch sends its
 * document ({@code HKV.TOPOLOGY}). A received document is offered to {@link CurrentTopology} (persisted first, off the
 * bus thread) and, when installed, relayed to every peer. With no topology at all, once every static peer has
 * introduced itself with epoch 0, each node installs the same epoch-1 topology from {@link StaticBootstrap}.
 *
 * <p>Threading: all state is confined to the transport's bus thread, except what {@link #send}, {@link #peers} and
 * {@link #state} read, which is concurrent or volatile.
 */
public final class BusNode implements PeerStates {

    private static final Logger LOG = Logger.getLogger(BusNode.class.getName());

    /** Who this node is on the bus. */
    public record Identity(NodeId id, PeerAddress announce, int clientPort) {
    }

    /**
     * Handles a message verb the bus itself does not know (the coordinator's forwards, anti-entropy's digests), on
     * the bus thread, whichever connection it arrives on; {@code reply} writes on that same connection and may be
     * called later from any thread (it hops to the bus thread). It must not block.
     */
    @FunctionalInterface
    public interface FrameHandler {
        void frame(NodeId from, byte[][] argv, Consumer<byte[]> reply);
    }

    /** A change of a peer's state, for listeners (hint replay starts on UP). */
    public record PeerEvent(PeerAddress address, Optional<NodeId> id, PeerState from, PeerState to) {
    }

    private final BusConfig config;
    private final Identity self;
    private final String secret;
    private final List<PeerAddress> staticPeers;
    private final int replicationFactor;
    private final CurrentTopology topology;
    private final Consumer<Topology> persister;
    private final DeltaHandler deltaHandler;
    private final Transport transport;
    private final Supplier<byte[]> nonces;
    private final FailureDetector<PeerAddress> detector;
    private final LogLimiter refusals = new LogLimiter(10_000);
    private final Map<PeerAddress, Outbound> outbounds = new ConcurrentHashMap<>();
    private final Map<NodeId, Outbound> byId = new ConcurrentHashMap<>();
    private final Set<Inbound> inbounds = new LinkedHashSet<>();
    private final List<Consumer<PeerEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, FrameHandler> handlers = new ConcurrentHashMap<>();
    private PeerAddress selfEntry;
    private boolean bootstrapping;
    private boolean bootstrapAgain;
    private volatile boolean stopped;
    private Runnable heartbeatTimer;
    private Topology cachedFrameFor;
    private byte[] cachedFrame;

    public BusNode(BusConfig config, Identity self, String secret, List<PeerAddress> staticPeers,
            int replicationFactor, CurrentTopology topology, Consumer<Topology> persister, DeltaHandler deltaHandler,
            Transport transport) {
        this.config = Objects.requireNonNull(config);
        this.self = Objects.requireNonNull(self);
        this.secret = Objects.requireNonNull(secret);
        this.staticPeers = List.copyOf(staticPeers);
        this.replicationFactor = replicationFactor;
        this.topology = Objects.requireNonNull(topology);
        this.persister = Objects.requireNonNull(persister);
        this.deltaHandler = Objects.requireNonNull(deltaHandler);
        this.transport = Objects.requireNonNull(transport);
        SecureRandom random = new SecureRandom();
        this.nonces = () -> {
            byte[] n = new byte[Handshake.NONCE_BYTES];
            random.nextBytes(n);
            return n;
        };
        this.detector = new FailureDetector<>(config.suspectAfterMillis(), config.downAfterMillis());
    }

    /** Dials the peers and starts the heartbeat. */
    public void start() {
        transport.execute(() -> {
            refreshLinks();
            heartbeatTimer = transport.schedule(config.heartbeatMillis(), this::heartbeat);
        });
    }

    /**
     * Closes every connection and fails every queued batch; the node dials nothing afterwards. The future completes
     * once that ran on the bus thread.
     */
    public CompletableFuture<Void> stop() {
        stopped = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        transport.execute(() -> {
            try {
                if (heartbeatTimer != null) {
                    heartbeatTimer.run();
                }
                for (Outbound o : List.copyOf(outbounds.values())) {
                    o.remove("the bus is stopping");
                }
                for (Inbound in : List.copyOf(inbounds)) {
                    in.close();
                }
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /** A connection a peer opened to this node (called by the transport's listener, on the bus thread). */
    public void accept(PeerLink link) {
        if (stopped) {
            link.close();
            return;
        }
        Inbound in = new Inbound(link);
        inbounds.add(in);
        in.start();
    }

    /** Adds a listener of peer state changes; it is called on the bus thread and must not block. */
    public void addListener(Consumer<PeerEvent> listener) {
        listeners.add(listener);
    }

    public Identity identity() {
        return self;
    }

    /** Routes messages with {@code verb} (upper case, e.g. {@code HKV.FWD}) to {@code handler}. */
    public void register(String verb, FrameHandler handler) {
        if (handlers.putIfAbsent(verb, handler) != null) {
            throw new IllegalStateException(verb + " already has a handler");
        }
    }

    /**
     * Writes one message on the outbound link to {@code peer} if that link is up; returns false otherwise. Unlike
     * {@link #send}, nothing is queued, numbered or retransmitted: for requests whose sender has its own timeout.
     * Callable from any thread.
     */
    public boolean sendFrame(NodeId peer, byte[] frame) {
        Outbound o = byId.get(peer);
        if (o == null || !o.established || stopped) {
            return false;
        }
        transport.execute(() -> {
            if (o.established && o.link != null) {
                o.link.write(frame);
            }
        });
        return true;
    }

    private void dispatch(NodeId from, byte[][] argv, Consumer<byte[]> reply, String remote) {
        FrameHandler h = handlers.get(BusFrames.verb(argv));
        if (h == null) {
            // Ignored rather than refused: a newer peer may speak verbs this version does not know.
            LOG.fine("ignored bus message " + BusFrames.verb(argv) + " from " + remote);
            return;
        }
        try {
            h.frame(from, argv, frame -> transport.execute(() -> reply.accept(frame)));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the handler of " + BusFrames.verb(argv) + " failed on a message from " + remote, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- deltas

    /**
     * Queues {@code batch} for the node {@code peer}, or refuses it at once (unknown or DOWN peer, full queue). Never
     * blocks; callable from any thread. The returned future completes on the bus thread: keep dependent work short.
     */
    public Delivery send(NodeId peer, List<DeltaEnvelope> batch) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("an empty batch");
        }
        Outbound o = byId.get(peer);
        if (o == null || stopped) {
            return new Delivery.Refused(Delivery.Reason.UNKNOWN_PEER, "no bus link to node " + peer);
        }
        if (o.state == PeerState.DOWN) {
            return new Delivery.Refused(Delivery.Reason.PEER_DOWN, "node " + peer + " at " + o.address + " is down");
        }
        long estimate = 32;
        for (DeltaEnvelope e : batch) {
            estimate += e.weight();
        }
        OutboundQueue.Entry entry = o.queue.offer(seq -> encodeDeltas(seq, batch), estimate);
        if (entry == null) {
            return new Delivery.Refused(Delivery.Reason.OVERFLOW, "the link to node " + peer + " holds "
                    + o.queue.bytes() + " of " + o.queue.maxBytes() + " bytes unacknowledged");
        }
        o.scheduleFlush();
        return new Delivery.Queued(entry.seq(), entry.acked());
    }

    static byte[] encodeDeltas(long seq, List<DeltaEnvelope> batch) {
        byte[][] argv = new byte[2 + EnvelopeCodec.FIELDS * batch.size()][];
        argv[0] = ascii(BusFrames.DELTAS);
        argv[1] = ascii(Long.toString(seq));
        int i = 2;
        for (DeltaEnvelope e : batch) {
            EnvelopeCodec.write(e, argv, i);
            i += EnvelopeCodec.FIELDS;
        }
        return BusFrames.encode(argv);
    }

    static List<DeltaEnvelope> decodeDeltas(byte[][] argv) throws BusProtocolException {
        if ((argv.length - 2) % EnvelopeCodec.FIELDS != 0 || argv.length < 2 + EnvelopeCodec.FIELDS) {
            throw new BusProtocolException("HKV.DELTAS has " + argv.length
                    + " elements, expected 2 + 6 per delta (db slot key stamp origin delta)");
        }
        List<DeltaEnvelope> batch = new ArrayList<>((argv.length - 2) / EnvelopeCodec.FIELDS);
        for (int i = 2; i < argv.length; i += EnvelopeCodec.FIELDS) {
            batch.add(EnvelopeCodec.read(argv, i));
        }
        return batch;
    }

    // ---------------------------------------------------------------------------------------------------- topology

    /**
     * Offers a topology (from the admin API, say) to {@link CurrentTopology} through the persister, off the bus
     * thread; when installed, peers hear of it. Callable from any thread.
     */
    public CompletableFuture<CurrentTopology.Offer> offerTopology(Topology candidate) {
        return offer(candidate, "this node");
    }

    private CompletableFuture<CurrentTopology.Offer> offer(Topology candidate, String source) {
        Executor blocking = transport.blocking();
        return CompletableFuture.supplyAsync(() -> topology.offer(candidate, persister), blocking)
                .whenComplete((result, err) -> transport.execute(() -> {
                    if (err != null) {
                        LOG.log(Level.WARNING, "could not install topology epoch " + candidate.epoch() + " from "
                                + source + ": " + err);
                        return;
                    }
                    switch (result.outcome()) {
                        case INSTALLED -> {
                            LOG.info("node " + self.id() + " installed topology epoch " + candidate.epoch() + " from "
                                    + source + " (" + candidate.nodes().size() + " nodes, N="
                                    + candidate.replicationFactor() + ")");
                            topologyInstalled();
                        }
                        case CONFLICT -> LOG.warning("topology epoch " + candidate.epoch() + " from " + source
                                + " differs from the one in force with the same epoch; kept the one in force");
                        default -> {
                        }
                    }
                }));
    }

    /** Tells the bus a new topology is in force (whoever installed it): gossip it and follow its membership. */
    public void topologyInstalled() {
        transport.execute(() -> {
            Optional<Topology> t = topology.get();
            if (t.isEmpty()) {
                return;
            }
            byte[] frame = topologyFrame(t.get());
            for (Outbound o : outbounds.values()) {
                if (o.established && o.peerEpoch < t.get().epoch()) {
                    o.link.write(frame);
                }
            }
            refreshLinks();
        });
    }

    /** The gossip frame of a topology, encoded once per topology (bus thread only). */
    private byte[] topologyFrame(Topology t) {
        if (cachedFrameFor != t) {
            cachedFrame = BusFrames.encode(ascii(BusFrames.TOPOLOGY), TopologyCodec.encode(t));
            cachedFrameFor = t;
        }
        return cachedFrame;
    }

    private void receiveTopology(byte[][] argv, String from) {
        if (argv.length != 2) {
            LOG.warning("ignored an HKV.TOPOLOGY with " + argv.length + " elements from " + from);
            return;
        }
        Topology t;
        try {
            t = TopologyCodec.decode(argv[1]);
        } catch (InvalidTopologyException e) {
            LOG.warning("ignored an invalid topology from " + from + ": " + e.getMessage());
            return;
        }
        if (t.epoch() > topology.epoch()) {
            offer(t, from);
        }
    }

    /** The peers to dial: the topology's members when one is in force, else the static list (which may hold us). */
    private void refreshLinks() {
        if (stopped) {
            return;
        }
        Set<PeerAddress> desired = new LinkedHashSet<>();
        Optional<Topology> t = topology.get();
        if (t.isPresent()) {
            for (ClusterNode n : t.get().nodes()) {
                if (!n.id().equals(self.id())) {
                    desired.add(new PeerAddress(n.host(), n.busPort()));
                }
            }
        } else {
            desired.addAll(staticPeers);
        }
        for (PeerAddress a : desired) {
            outbounds.computeIfAbsent(a, addr -> {
                Outbound o = new Outbound(addr);
                detector.track(addr);
                o.connect();
                return o;
            });
        }
        for (Outbound o : List.copyOf(outbounds.values())) {
            if (!desired.contains(o.address)) {
                o.remove("it is not a member of topology epoch " + topology.epoch());
            }
        }
    }

    private void tryBootstrap() {
        if (bootstrapping) {
            // An introduction arrived while a decision on fewer ran: decide again once that one is back.
            bootstrapAgain = true;
            return;
        }
        if (stopped || topology.get().isPresent() || staticPeers.isEmpty() || selfEntry == null) {
            return;
        }
        Map<PeerAddress, StaticBootstrap.Introduction> intros = new HashMap<>();
        intros.put(selfEntry, new StaticBootstrap.Introduction(self.id(), self.clientPort(), Optional.empty()));
        for (PeerAddress a : staticPeers) {
            Outbound o = outbounds.get(a);
            if (o == null || o.self || o.hello == null) {
                continue;
            }
            if (o.hello.epoch() > 0) {
                return; // that peer has a topology: it sends it to us, and we adopt it
            }
            intros.put(a, new StaticBootstrap.Introduction(o.hello.id(), o.hello.clientPort(), Optional.empty()));
        }
        // Placing 16384 slots is worker work, not event-loop work: it would delay heartbeats.
        bootstrapping = true;
        bootstrapAgain = false;
        CompletableFuture.supplyAsync(() -> StaticBootstrap.decide(staticPeers, intros, replicationFactor),
                transport.blocking()).whenComplete((decided, err) -> transport.execute(() -> {
                    if (err != null) {
                        bootstrapping = false;
                        Throwable cause = err.getCause() != null ? err.getCause() : err;
                        LOG.severe("cannot form the cluster from hyperkv.cluster.peers: " + cause.getMessage());
                    } else if (decided.isEmpty()) {
                        bootstrapping = false;
                        if (bootstrapAgain) {
                            tryBootstrap();
                        }
                    } else {
                        offer(decided.get(), "the static peer list").whenComplete((r, e) -> transport.execute(() ->
                                bootstrapping = false));
                    }
                }));
    }

    // ---------------------------------------------------------------------------------------------------- heartbeat

    private void heartbeat() {
        if (stopped) {
            return;
        }
        long now = transport.nowMillis();
        byte[] ping = BusFrames.encode(BusFrames.PING, Long.toString(topology.epoch()));
        for (Outbound o : outbounds.values()) {
            if (o.established) {
                o.link.write(ping);
            }
        }
        for (FailureDetector.Transition<PeerAddress> t : detector.evaluate(now)) {
            Outbound o = outbounds.get(t.peer());
            if (o != null) {
                o.changed(t);
            }
        }
        for (Inbound in : List.copyOf(inbounds)) {
            if (now - in.lastFrame > config.downAfterMillis()) {
                in.close(); // its sender is gone or cut off; it will dial again
            }
        }
        heartbeatTimer = transport.schedule(config.heartbeatMillis(), this::heartbeat);
    }

    private void heard(Outbound o) {
        long now = transport.nowMillis();
        o.lastHeard = now;
        FailureDetector.Transition<PeerAddress> t = detector.heard(o.address, now);
        if (t != null) {
            o.changed(t);
        }
    }

    private void refused(String remote, String why) {
        String host = remote.contains(":") ? remote.substring(0, remote.lastIndexOf(':')) : remote;
        long held = refusals.admit(host, transport.nowMillis());
        if (held >= 0) {
            LOG.warning("bus connection with " + remote + " closed: " + why
                    + (held > 0 ? " (" + held + " similar lines from this host held back)" : ""));
        }
    }

    // ---------------------------------------------------------------------------------------------------- views

    @Override
    public List<PeerView> peers() {
        long now = transport.nowMillis();
        List<PeerView> views = new ArrayList<>();
        for (Outbound o : outbounds.values()) {
            if (o.self) {
                continue;
            }
            views.add(new PeerView(o.address, Optional.ofNullable(o.id), o.state, o.established,
                    o.lastHeard < 0 ? -1 : now - o.lastHeard, o.peerEpoch, o.queue.bytes(), o.queue.inFlight(),
                    o.queue.queued()));
        }
        views.sort(Comparator.comparing(v -> v.address().toString()));
        return views;
    }

    @Override
    public PeerState state(NodeId id) {
        Outbound o = byId.get(id);
        return o == null ? PeerState.DOWN : o.state;
    }

    /** Closes the outbound connection to a node, which then reconnects; for tests and operators. */
    public void disconnect(NodeId id) {
        transport.execute(() -> {
            Outbound o = byId.get(id);
            if (o != null && o.link != null) {
                o.link.close();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------- outbound

    /** This node's link to one peer address; lives as long as the address is a member. */
    private final class Outbound {
        final PeerAddress address;
        final OutboundQueue queue = new OutboundQueue(config.queueBytes(), config.window());
        final AtomicBoolean flushScheduled = new AtomicBoolean();
        volatile NodeId id;
        volatile PeerState state = PeerState.DOWN;
        volatile boolean established;
        volatile long peerEpoch;
        volatile long lastHeard = -1;
        PeerHello hello;
        PeerLink link;
        RespDecoder decoder;
        Handshake handshake;
        boolean self;
        boolean removed;
        long backoff = config.minBackoffMillis();
        Runnable reconnectTimer;

        Outbound(PeerAddress address) {
            this.address = address;
        }

        void connect() {
            reconnectTimer = null;
            if (removed || stopped) {
                return;
            }
            transport.connect(address, this::connected, err -> {
                LOG.fine("cannot reach bus peer " + address + ": " + err);
                retryLater();
            });
        }

        void retryLater() {
            if (removed || stopped || self || reconnectTimer != null) {
                return;
            }
            long delay = backoff;
            backoff = Math.min(backoff * 2, config.maxBackoffMillis());
            reconnectTimer = transport.schedule(delay, this::connect);
        }

        void connected(PeerLink l) {
            if (removed || stopped) {
                l.close();
                return;
            }
            link = l;
            decoder = new RespDecoder(BusFrames.ESTABLISHED_LIMITS);
            decoder.authenticated(false);
            Identity me = BusNode.this.self;
            handshake = Handshake.client(secret, new PeerHello(me.id(), me.announce(), me.clientPort(),
                    topology.epoch()), nonces);
            l.events(new PeerLink.Events() {
                @Override
                public void bytes(byte[] data) {
                    if (link == l) {
                        onBytes(data);
                    }
                }

                @Override
                public void closed() {
                    if (link == l) {
                        onClosed();
                    }
                }
            });
            l.write(BusFrames.encode(handshake.opening()));
            transport.schedule(config.handshakeTimeoutMillis(), () -> {
                if (link == l && !established) {
                    refused(l.remote(), "no handshake within " + config.handshakeTimeoutMillis() + " ms");
                    l.close();
                }
            });
        }

        void onBytes(byte[] data) {
            PeerLink l = link;
            try {
                decoder.decode(data, argv -> {
                    if (link == l) {
                        frame(argv);
                    }
                });
            } catch (RespProtocolException e) {
                refused(l.remote(), e.getMessage());
                l.write(BusFrames.encode(BusFrames.ERROR, e.getMessage()));
                l.close();
            }
        }

        void frame(byte[][] argv) {
            if (!established) {
                Handshake.Step step = handshake.receive(argv);
                if (step.reply() != null) {
                    link.write(BusFrames.encode(step.reply()));
                }
                switch (step.status()) {
                    case FAILED -> {
                        refused(link.remote(), step.reason());
                        link.close();
                    }
                    case ESTABLISHED -> established(step.peer());
                    default -> {
                    }
                }
                return;
            }
            String verb = text(argv[0]);
            try {
                switch (verb) {
                    case BusFrames.PONG -> {
                        heard(this);
                        peerEpoch = BusFrames.parseLong(argv, 1, "epoch");
                        if (peerEpoch < topology.epoch()) {
                            link.write(topologyFrame(topology.get().orElseThrow()));
                        }
                    }
                    case BusFrames.ACK -> {
                        heard(this);
                        queue.ack(BusFrames.parseLong(argv, 1, "sequence number"));
                        flush();
                    }
                    case BusFrames.NACK -> {
                        heard(this);
                        long seq = BusFrames.parseLong(argv, 1, "sequence number");
                        String reason = argv.length > 2 ? text(argv[2]) : "ERROR";
                        String message = argv.length > 3 ? text(argv[3]) : "refused";
                        queue.nack(seq, new DeltaHandler.DeltaRejection(reason, "node " + id + " refused deltas: "
                                + message));
                        flush();
                    }
                    case BusFrames.TOPOLOGY -> receiveTopology(argv, address + " (" + id + ")");
                    case BusFrames.ERROR -> {
                        LOG.warning("bus peer " + address + " reported: " + (argv.length > 1 ? text(argv[1]) : "?"));
                        link.close();
                    }
                    default -> {
                        PeerLink l = link;
                        dispatch(id, argv, l::write, address.toString());
                    }
                }
            } catch (BusProtocolException e) {
                refused(link.remote(), e.getMessage());
                link.close();
            }
        }

        void established(PeerHello peer) {
            hello = peer;
            if (peer.id().equals(BusNode.this.self.id())) {
                self = true;
                selfEntry = address;
                detector.untrack(address);
                link.close();
                tryBootstrap();
                return;
            }
            Outbound previous = byId.get(peer.id());
            if (previous != null && previous != this) {
                LOG.severe("bus peers " + previous.address + " and " + address + " both claim node id " + peer.id());
            }
            if (id != null && !id.equals(peer.id())) {
                byId.remove(id, this);
                LOG.warning("bus peer " + address + " changed node id from " + id + " to " + peer.id());
            }
            id = peer.id();
            byId.put(id, this);
            decoder.authenticated(true);
            established = true;
            backoff = config.minBackoffMillis();
            peerEpoch = peer.epoch();
            heard(this);
            if (peerEpoch < topology.epoch()) {
                link.write(topologyFrame(topology.get().orElseThrow()));
            }
            queue.rewind();
            flush();
            tryBootstrap();
        }

        void scheduleFlush() {
            if (flushScheduled.compareAndSet(false, true)) {
                transport.execute(() -> {
                    flushScheduled.set(false);
                    flush();
                });
            }
        }

        void flush() {
            if (!established || link == null) {
                return;
            }
            if (link.writeQueueFull()) {
                PeerLink l = link;
                l.onDrain(() -> {
                    if (link == l) {
                        flush();
                    }
                });
                return;
            }
            for (OutboundQueue.Entry e : queue.takeSendable()) {
                link.write(e.frame());
            }
        }

        void onClosed() {
            link = null;
            established = false;
            queue.rewind();
            retryLater();
        }

        void changed(FailureDetector.Transition<PeerAddress> t) {
            state = t.to();
            LOG.info("bus peer " + address + " (node " + (id == null ? "unknown" : id) + ") is now "
                    + t.to().word().toUpperCase(java.util.Locale.ROOT) + (t.to() == PeerState.UP ? ""
                    : " after " + t.silentMillis() + " ms without an answer"));
            if (t.to() == PeerState.DOWN) {
                queue.failAll(new PeerUnavailableException("node " + id + " at " + address + " is down"));
                if (link != null) {
                    link.close(); // a fresh connection, not a stream that may have lost bytes, when it returns
                }
            }
            PeerEvent event = new PeerEvent(address, Optional.ofNullable(id), t.from(), t.to());
            for (Consumer<PeerEvent> l : listeners) {
                try {
                    l.accept(event);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a peer state listener failed", e);
                }
            }
        }

        void remove(String why) {
            removed = true;
            outbounds.remove(address, this);
            if (id != null) {
                byId.remove(id, this);
            }
            detector.untrack(address);
            if (reconnectTimer != null) {
                reconnectTimer.run();
            }
            queue.failAll(new PeerUnavailableException("the link to " + address + " was closed: " + why));
            if (link != null) {
                link.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- inbound

    /** A connection a peer opened to this node: its deltas, pings and gossip in, our answers out. */
    private final class Inbound {
        final PeerLink link;
        final RespDecoder decoder = new RespDecoder(BusFrames.ESTABLISHED_LIMITS);
        final Handshake handshake;
        boolean established;
        boolean closed;
        PeerHello peer;
        long lastFrame = transport.nowMillis();
        CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        int pendingApplies;
        boolean paused;

        Inbound(PeerLink link) {
            this.link = link;
            this.handshake = Handshake.server(secret, new PeerHello(self.id(), self.announce(), self.clientPort(),
                    topology.epoch()), nonces);
            decoder.authenticated(false);
        }

        void start() {
            link.events(new PeerLink.Events() {
                @Override
                public void bytes(byte[] data) {
                    onBytes(data);
                }

                @Override
                public void closed() {
                    closed = true;
                    inbounds.remove(Inbound.this);
                }
            });
            transport.schedule(config.handshakeTimeoutMillis(), () -> {
                if (!closed && !established) {
                    refused(link.remote(), "no handshake within " + config.handshakeTimeoutMillis() + " ms");
                    close();
                }
            });
        }

        void close() {
            closed = true;
            inbounds.remove(this);
            link.close();
        }

        void onBytes(byte[] data) {
            if (closed) {
                return;
            }
            lastFrame = transport.nowMillis();
            try {
                decoder.decode(data, argv -> {
                    if (!closed) {
                        frame(argv);
                    }
                });
            } catch (RespProtocolException e) {
                refused(link.remote(), e.getMessage());
                link.write(BusFrames.encode(BusFrames.ERROR, e.getMessage()));
                close();
            }
        }

        void frame(byte[][] argv) {
            if (!established) {
                Handshake.Step step = handshake.receive(argv);
                if (step.reply() != null) {
                    link.write(BusFrames.encode(step.reply()));
                }
                if (step.status() == Handshake.Status.FAILED) {
                    refused(link.remote(), step.reason());
                    close();
                } else if (step.status() == Handshake.Status.ESTABLISHED) {
                    established = true;
                    peer = step.peer();
                    decoder.authenticated(true);
                    if (peer.epoch() < topology.epoch()) {
                        link.write(topologyFrame(topology.get().orElseThrow()));
                    }
                }
                return;
            }
            String verb = text(argv[0]);
            try {
                switch (verb) {
                    case BusFrames.PING -> {
                        long epoch = BusFrames.parseLong(argv, 1, "epoch");
                        link.write(BusFrames.encode(BusFrames.PONG, Long.toString(topology.epoch())));
                        if (epoch < topology.epoch()) {
                            link.write(topologyFrame(topology.get().orElseThrow()));
                        }
                    }
                    case BusFrames.DELTAS -> deltas(argv);
                    case BusFrames.TOPOLOGY -> receiveTopology(argv, link.remote() + " (" + peer.id() + ")");
                    case BusFrames.ERROR -> {
                        LOG.warning("bus peer " + link.remote() + " reported: "
                                + (argv.length > 1 ? text(argv[1]) : "?"));
                        close();
                    }
                    default -> dispatch(peer.id(), argv, link::write, link.remote());
                }
            } catch (BusProtocolException e) {
                refused(link.remote(), e.getMessage());
                link.write(BusFrames.encode(BusFrames.ERROR, e.getMessage()));
                close();
            }
        }

        void deltas(byte[][] argv) throws BusProtocolException {
            long seq = BusFrames.parseLong(argv, 1, "sequence number");
            List<DeltaEnvelope> batch;
            try {
                batch = decodeDeltas(argv);
            } catch (BusProtocolException e) {
                // The frame is well formed RESP from an authenticated peer: refuse this batch, keep the link.
                link.write(BusFrames.encode(BusFrames.NACK, Long.toString(seq), "INVALID", e.getMessage()));
                return;
            }
            pendingApplies++;
            if (pendingApplies >= config.maxPendingApplies() && !paused) {
                paused = true;
                link.pause();
            }
            // Applied at once, not after the previous batch's future: a handler that completes once durable
            // (appendfsync always) then shares one fsync among every batch in flight, where waiting would cost one
            // fsync per batch and hold every later ack of this link behind it. Acks still leave in sequence order
            // (they are cumulative): each waits for the previous one.
            CompletableFuture<Void> applied = applyNow(batch);
            Executor onBus = transport::execute;
            tail = tail.thenCompose(v -> applied.handle((x, err) -> err)).thenAcceptAsync(err -> {
                pendingApplies--;
                if (paused && pendingApplies <= config.maxPendingApplies() / 2) {
                    paused = false;
                    link.resume();
                }
                if (closed) {
                    return; // the sender sends the batch again on its next connection
                }
                if (err == null) {
                    link.write(BusFrames.encode(BusFrames.ACK, Long.toString(seq)));
                } else {
                    Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                            ? err.getCause() : err;
                    String reason = cause instanceof DeltaHandler.DeltaRejection r ? r.reason() : "ERROR";
                    link.write(BusFrames.encode(BusFrames.NACK, Long.toString(seq), reason,
                            String.valueOf(cause.getMessage())));
                }
            }, onBus);
        }

        /** The handler's future for {@code batch}; a handler that throws or returns null fails it. */
        private CompletableFuture<Void> applyNow(List<DeltaEnvelope> batch) {
            try {
                CompletableFuture<Void> f = deltaHandler.apply(batch);
                return f == null ? CompletableFuture.failedFuture(new NullPointerException("no future")) : f;
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }
}
