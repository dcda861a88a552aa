package io.hyperkv.cluster.bus;

import java.util.Locale;

/** Why a delta travels: a live write, a hint replayed after the peer came back, or an anti-entropy repair. */
public enum Origin {
    LIVE, HINT, REPAIR;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads {@link #word()}; null when the word is none of them. */
    public static Origin parse(String word) {
        for (Origin o : values()) {
            if (o.word().equals(word)) {
                return o;
            }
        }
        return null;
    }
}
