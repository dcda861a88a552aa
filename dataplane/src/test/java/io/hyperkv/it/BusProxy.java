package io.hyperkv.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of one node's replication bus, for fault-injection tests: a node announces the
 * proxy's port instead of its bus port, and the test cuts or restores the traffic of every connection through it.
 *
 * <ul>
 *   <li>{@link Mode#PASS}: bytes flow both ways.</li>
 *   <li>{@link Mode#BLACKHOLE}: a network partition. Nothing is delivered in either direction and connections stay
 *       open; bytes already read are held, and since the proxy stops reading, TCP flow control backs the senders up,
 *       as with a partition that drops packets and makes TCP retransmit. New connections are accepted but not connected
 *       to the node until the partition heals. Back in PASS, the held bytes arrive intact and in order, so a stream
 *       that survived the partition is not corrupted.</li>
 *   <li>{@link Mode#RESET}: every connection through the proxy, and every new one, is closed with a TCP reset (as a
 *       crashed peer's kernel answers).</li>
 * </ul>
 * {@link #blackholeDialer} black-holes only the connections a given node dialed (recognised by the id its
 * {@code HKV.HELLO} names), leaving the others in their mode: with a proxy in front of every node's bus, a node's own
 * outbound links are cut too, while its peers still reach each other through the same proxies, which makes the
 * partition of one node complete in both directions.
 * Two threads per connection and one acceptor; {@link #close()} ends them all. Test code only.
 */
public final class BusProxy implements AutoCloseable {

    public enum Mode {
        PASS,
        BLACKHOLE,
        RESET
    }

    private static final int POLL_MILLIS = 50;

    /** Bytes of a connection's first traffic kept, at most, to read the dialer's HELLO (which is shorter). */
    private static final int OPENING_BYTES = 512;

    private final ServerSocket server;
    private volatile int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<String> cutDialers = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    private BusProxy(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** A proxy on a free port of 127.0.0.1 forwarding to {@code 127.0.0.1:targetPort}. */
    public static BusProxy start(int targetPort) {
        return start(0, targetPort);
    }

    /** A proxy on {@code 127.0.0.1:listenPort} (0: a free port) forwarding to {@code 127.0.0.1:targetPort}. */
    public static BusProxy start(int listenPort, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
            BusProxy proxy = new BusProxy(server, targetPort);
            Thread acceptor = new Thread(proxy::acceptLoop, "bus-proxy-accept-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forwards connections accepted from now on to {@code 127.0.0.1:port} (a node that moved its bus there). */
    public void retarget(int port) {
        targetPort = port;
    }

    public int port() {
        return server.getLocalPort();
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Switches every current and future connection to {@code newMode}. Under RESET each pump resets the socket it
     * reads within {@value #POLL_MILLIS} ms: a socket closed while another thread is blocked reading it ends with a FIN,
     * not a reset, so only its own reader may reset it.
     */
    public void mode(Mode newMode) {
        synchronized (gate) {
            mode = newMode;
            gate.notifyAll();
        }
    }

    /**
     * From now on, holds the traffic of every connection whose dialer's {@code HKV.HELLO} names {@code nodeId} (hex)
     * as {@link Mode#BLACKHOLE} holds all traffic, in both directions, until {@link #passDialers()}. Connections of
     * other dialers keep the proxy's mode.
     */
    public void blackholeDialer(String nodeId) {
        synchronized (gate) {
            cutDialers.add(nodeId);
            gate.notifyAll();
        }
    }

    /** Ends every {@link #blackholeDialer} cut: the held bytes flow again, intact and in order. */
    public void passDialers() {
        synchronized (gate) {
            cutDialers.clear();
            gate.notifyAll();
        }
    }

    /** Open sockets on both sides (two per proxied connection once it reached the node). */
    public int openSockets() {
        return sockets.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (mode == Mode.RESET) {
                reset(client);
                continue;
            }
            sockets.add(client);
            Thread link = new Thread(() -> link(client), "bus-proxy-link-" + client.getPort());
            link.setDaemon(true);
            link.start();
        }
    }

    /**
     * One proxied connection and who dialed it: the node id of the dialer's first message, a bus {@code HKV.HELLO}
     * (a RESP array whose fourth element is the id). Only that field counts: later traffic of the same dialer (a
     * topology document, a delta) names other nodes, and matching anywhere in it would cut the wrong link.
     */
    private static final class Link {

        private final StringBuilder opening = new StringBuilder();
        private boolean settled;
        private String dialer;

        synchronized void saw(byte[] bytes, int length) {
            if (settled) {
                return;
            }
            int keep = Math.min(length, OPENING_BYTES - opening.length());
            opening.append(new String(bytes, 0, keep, StandardCharsets.ISO_8859_1));
            List<String> hello = firstArray(opening);
            if (hello != null) {
                dialer = hello.size() > 3 && hello.get(0).equals("HKV.HELLO") ? hello.get(3) : null;
                settled = true;
            } else if (opening.length() >= OPENING_BYTES) {
                settled = true;
            }
        }

        synchronized boolean cutBy(Set<String> cut) {
            return dialer != null && cut.contains(dialer);
        }

        /** The bulk strings of the RESP array {@code text} starts with, or null while it is incomplete or not one. */
        static List<String> firstArray(CharSequence text) {
            int[] at = {0};
            Integer count = header(text, at, '*');
            if (count == null) {
                return null;
            }
            List<String> elements = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Integer length = header(text, at, '$');
                if (length == null || length < 0 || at[0] + length + 2 > text.length()) {
                    return null;
                }
                elements.add(text.subSequence(at[0], at[0] + length).toString());
                at[0] += length + 2;
            }
            return elements;
        }

        /** Reads {@code <type><integer>\r\n} at {@code at[0]} and moves past it; null if absent or incomplete. */
        private static Integer header(CharSequence text, int[] at, char type) {
            int start = at[0];
            if (start >= text.length() || text.charAt(start) != type) {
                return null;
            }
            for (int i = start + 1; i + 1 < text.length() && i - start < 12; i++) {
                if (text.charAt(i) == '\r' && text.charAt(i + 1) == '\n') {
                    try {
                        int value = Integer.parseInt(text.subSequence(start + 1, i).toString());
                        at[0] = i + 2;
                        return value;
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    /** Connects the client to the node once traffic may pass, then pumps both ways. */
    private void link(Socket client) {
        Link link = new Link();
        if (!awaitPassable(link)) {
            reset(client);
            return;
        }
        Socket upstream = new Socket();
        try {
            sockets.add(upstream);
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
        } catch (IOException e) {
            reset(client);
            reset(upstream);
            return;
        }
        Thread back = new Thread(() -> pump(upstream, client, link, false), "bus-proxy-back-" + client.getPort());
        back.setDaemon(true);
        back.start();
        pump(client, upstream, link, true);
    }

    /** Copies {@code from} to {@code to}; {@code fromDialer} when {@code from} opened the connection. */
    private void pump(Socket from, Socket to, Link link, boolean fromDialer) {
        byte[] buffer = new byte[64 * 1024];
        try {
            from.setSoTimeout(POLL_MILLIS);
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException idle) {
                    if (mode == Mode.RESET || closed) {
                        reset(from);
                        return;
                    }
                    continue;
                }
                if (n < 0) {
                    if (awaitPassable(link)) {
                        to.shutdownOutput();
                    }
                    return;
                }
                if (fromDialer) {
                    link.saw(buffer, n);
                }
                if (!awaitPassable(link)) {
                    reset(from);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // One side went away: close the other so the end is seen through the proxy too.
            close(from);
            close(to);
        }
    }

    /**
     * Waits while the proxy is a black hole or {@code link}'s dialer is cut off; false when the connection must be
     * reset (RESET or closed).
     */
    private boolean awaitPassable(Link link) {
        synchronized (gate) {
            while ((mode == Mode.BLACKHOLE || mode == Mode.PASS && link.cutBy(cutDialers)) && !closed) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return mode == Mode.PASS && !closed;
        }
    }

    private void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // close sends RST instead of FIN
        } catch (IOException ignored) {
            // already closed
        }
        close(s);
    }

    private void close(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (gate) {
            gate.notifyAll();
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // best effort
        }
        for (Socket s : sockets) {
            reset(s);
        }
    }
}
