package io.hyperkv.cluster;

import java.util.Locale;

/**
 * A member's state as the author of a topology document saw it. {@link #LEAVING} members keep the slots they still
 * own but get no new ones from {@link Placement}; every other state takes part in placement, because a node that is
 * only suspected or down is expected back and moving its data away would cost more than hints and anti-entropy.
 */
public enum NodeState {
    UP,
    SUSPECT,
    DOWN,
    JOINING,
    LEAVING;

    /** The name in the topology document: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether {@link Placement} may give this member slots. */
    public boolean placeable() {
        return this != LEAVING;
    }

    /**
     * The state named in a topology document.
     *
     * @throws IllegalArgumentException listing the accepted names
     */
    public static NodeState fromWire(String name) {
        for (NodeState s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("\"" + name + "\" is not a node state (up, suspect, down, joining, leaving)");
    }
}
