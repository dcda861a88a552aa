package io.hyperkv.cluster;

import java.util.Locale;

/**
 * How many of a slot's N owners must answer: W for writes ({@code hyperkv.cluster.write-consistency}), R for reads
 * ({@code hyperkv.cluster.read-consistency}). The words are those of the configuration and of the operator's
 * {@code HyperKVCluster.spec.consistency}.
 */
public enum Consistency {
    /** One owner: the coordinator's own write or read when it is an owner. */
    ONE,
    /** A majority of the owners: {@code N / 2 + 1}. */
    QUORUM,
    /** Every owner. */
    ALL;

    /** How many of {@code owners} replicas this level needs; at least 1. */
    public int required(int owners) {
        return switch (this) {
            case ONE -> 1;
            case QUORUM -> owners / 2 + 1;
            case ALL -> owners;
        };
    }

    /** The configuration word: lower case. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The level named by {@code word}, ignoring case and surrounding blanks.
     *
     * @throws IllegalArgumentException listing the accepted words
     */
    public static Consistency parse(String word) {
        String w = word == null ? "" : word.strip().toLowerCase(Locale.ROOT);
        for (Consistency c : values()) {
            if (c.word().equals(w)) {
                return c;
            }
        }
        throw new IllegalArgumentException("\"" + (word == null ? "" : word) + "\" is not a consistency level"
                + " (one, quorum or all)");
    }
}
