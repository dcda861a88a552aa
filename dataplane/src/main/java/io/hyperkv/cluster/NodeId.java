package io.hyperkv.cluster;

import java.util.Locale;

/**
 * A node's identity: the 64-bit id chosen at random on a node's first start and persisted with its data (the same
 * value is the tie-break of {@link io.hyperkv.crdt.Stamp}). Where an id is printed for clients ({@code CLUSTER NODES},
 * {@code CLUSTER SHARDS}, the topology document) it takes the shape of a Redis node id: 40 lowercase hexadecimal
 * digits, here the 64 bits zero-padded on the left. {@link #parse} also takes the 16-digit form that logs and
 * {@code INFO} print.
 */
public record NodeId(long value) implements Comparable<NodeId> {

    /** Length of a Redis node id. */
    public static final int HEX_LENGTH = 40;

    private static final int SHORT_HEX_LENGTH = 16;

    /** The 40-digit form, as Redis prints node ids. */
    public String hex() {
        String digits = Long.toHexString(value);
        return "0".repeat(HEX_LENGTH - digits.length()) + digits;
    }

    /** The 16-digit form, for logs. */
    public String shortHex() {
        String digits = Long.toHexString(value);
        return "0".repeat(SHORT_HEX_LENGTH - digits.length()) + digits;
    }

    /**
     * Reads a node id printed by {@link #hex()} or {@link #shortHex()}; case-insensitive.
     *
     * @throws IllegalArgumentException naming the text when it is neither 40 nor 16 hexadecimal digits, or when a
     *         40-digit id does not fit in 64 bits
     */
    public static NodeId parse(String text) {
        if (text == null || (text.length() != HEX_LENGTH && text.length() != SHORT_HEX_LENGTH)) {
            throw new IllegalArgumentException(describe(text) + " is not a node id (40 hexadecimal digits)");
        }
        int significant = text.length() - SHORT_HEX_LENGTH;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex) {
                throw new IllegalArgumentException(describe(text) + " is not a node id (40 hexadecimal digits)");
            }
            if (i < significant && c != '0') {
                throw new IllegalArgumentException(describe(text) + " is not a HyperKV node id (ids are 64-bit: "
                        + "the first 24 of the 40 digits are 0)");
            }
        }
        return new NodeId(Long.parseUnsignedLong(text.substring(significant).toLowerCase(Locale.ROOT), 16));
    }

    private static String describe(String text) {
        return text == null ? "null" : "\"" + (text.length() > 64 ? text.substring(0, 64) + "..." : text) + "\"";
    }

    /** Unsigned order, the same order as the printed hex forms. */
    @Override
    public int compareTo(NodeId o) {
        return Long.compareUnsigned(value, o.value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
