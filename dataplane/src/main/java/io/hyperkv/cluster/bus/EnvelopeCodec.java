package io.hyperkv.cluster.bus;

import static io.hyperkv.cluster.bus.BusFrames.ascii;
import static io.hyperkv.cluster.bus.BusFrames.text;

import io.hyperkv.cluster.Topology;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.resp.RespDecoder;
import io.hyperkv.resp.RespProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The one encoding of a {@link DeltaEnvelope}: six bulk strings {@code db slot key stamp16 origin delta}, where stamp
 * is 16 bytes (HLC time, node) and origin a {@link Origin#word()}. {@code HKV.DELTAS} carries a run of them after its
 * sequence number; hinted handoff stores one as a RESP array of exactly those six elements ({@link #encode} /
 * {@link #decode}), so a stored hint and a delta on the wire cannot drift apart.
 */
public final class EnvelopeCodec {

    /** Elements per envelope. */
    public static final int FIELDS = 6;

    private EnvelopeCodec() {
    }

    /** Writes {@code e}'s fields into {@code argv[at, at + FIELDS)}. */
    static void write(DeltaEnvelope e, byte[][] argv, int at) {
        argv[at] = ascii(Integer.toString(e.db()));
        argv[at + 1] = ascii(Integer.toString(e.slot()));
        argv[at + 2] = e.key();
        argv[at + 3] = ByteBuffer.allocate(16).putLong(e.stamp().time()).putLong(e.stamp().node()).array();
        argv[at + 4] = ascii(e.origin().word());
        argv[at + 5] = e.delta();
    }

    /** Reads the envelope in {@code argv[at, at + FIELDS)}; errors name the message they came in. */
    static DeltaEnvelope read(byte[][] argv, int at) throws BusProtocolException {
        String verb = BusFrames.verb(argv);
        long db = BusFrames.parseLong(argv, at, "db");
        long slot = BusFrames.parseLong(argv, at + 1, "slot");
        if (argv[at + 3].length != 16) {
            throw new BusProtocolException(verb + " has a stamp of " + argv[at + 3].length + " bytes, not 16");
        }
        ByteBuffer stamp = ByteBuffer.wrap(argv[at + 3]);
        Origin origin = Origin.parse(text(argv[at + 4]));
        if (origin == null) {
            throw new BusProtocolException(verb + " has an unknown origin (live, hint or repair)");
        }
        if (db < 0 || db > Integer.MAX_VALUE || slot < 0 || slot >= Topology.SLOTS) {
            throw new BusProtocolException(verb + " has db " + db + " slot " + slot + " out of range");
        }
        return new DeltaEnvelope((int) db, (int) slot, argv[at + 2], new Stamp(stamp.getLong(), stamp.getLong()),
                argv[at + 5], origin);
    }

    /** One envelope on its own, as stored bytes. */
    public static byte[] encode(DeltaEnvelope e) {
        byte[][] argv = new byte[FIELDS][];
        write(e, argv, 0);
        return BusFrames.encode(argv);
    }

    /**
     * Reads what {@link #encode} wrote.
     *
     * @throws BusProtocolException when {@code bytes} are not exactly one well-formed envelope
     */
    public static DeltaEnvelope decode(byte[] bytes) throws BusProtocolException {
        List<byte[][]> frames = new ArrayList<>(1);
        RespDecoder decoder = new RespDecoder(BusFrames.ESTABLISHED_LIMITS);
        decoder.authenticated(true);
        try {
            decoder.decode(bytes, frames::add);
        } catch (RespProtocolException e) {
            throw new BusProtocolException("a stored delta is not valid RESP: " + e.getMessage());
        }
        if (frames.size() != 1 || frames.get(0).length != FIELDS || decoder.bufferedBytes() > 0) {
            throw new BusProtocolException("a stored delta is not one array of " + FIELDS + " elements");
        }
        return read(frames.get(0), 0);
    }
}
