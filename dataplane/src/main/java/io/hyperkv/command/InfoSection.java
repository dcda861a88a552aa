package io.hyperkv.command;

import java.util.Map;

/**
 * A contributor of fields to one {@code INFO} section. Several providers may contribute to the
 * same section (the server adds connection counters to {@code stats}, the store adds keyspace
 * hits); fields are printed in provider order, each as {@code name:value}.
 */
public interface InfoSection {

    /** Section name as INFO prints it after {@code #}, e.g. {@code Server}, {@code Clients}. */
    String name();

    /** The fields, in order; called on every INFO, so keep it cheap. */
    Map<String, String> fields();

    /** Zeroes the counters CONFIG RESETSTAT resets; most providers have none. */
    default void resetStats() {
    }
}
