package io.hyperkv.server;

import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.CommandTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-command call counter and latency timer ({@code hyperkv_commands_total{cmd}} and
 * {@code hyperkv_command_duration_seconds{cmd}}), resolved once per command spec so that recording
 * on the request path is an identity-map probe and two lock-free increments: no string is built
 * and no registry is consulted per request. A command's meters are registered the first time it
 * runs, so the scrape lists only commands that were used.
 */
final class CommandMeters {

    private final MeterRegistry registry;
    private final Map<CommandSpec, Slot> slots = new IdentityHashMap<>();
    private final LongAdder total = new LongAdder();

    /** Pre-creates a slot for every command and subcommand; the map is only read afterwards. */
    CommandMeters(MeterRegistry registry, CommandTable table) {
        this.registry = registry;
        for (CommandSpec spec : table.all()) {
            slots.put(spec, new Slot(spec.name()));
            for (CommandSpec sub : spec.subcommands()) {
                slots.put(sub, new Slot(sub.name()));
            }
        }
    }

    void record(CommandSpec spec, long nanos) {
        total.increment();
        if (spec == null) {
            return;
        }
        Slot slot = slots.get(spec);
        if (slot != null) {
            slot.record(nanos);
        }
    }

    /** Every command processed, known or not: INFO's total_commands_processed. */
    long totalCommands() {
        return total.sum();
    }

    private final class Slot {
        private final String name;
        private volatile Counter calls;
        private volatile Timer latency;

        Slot(String name) {
            this.name = name;
        }

        void record(long nanos) {
            Timer t = latency;
            if (t == null) {
                // Two event loops may race here; Micrometer returns the same meter for the same id.
                calls = Counter.builder("hyperkv.commands").tag("cmd", name)
                        .description("Commands processed, by command name").register(registry);
                t = Timer.builder("hyperkv.command.duration").tag("cmd", name)
                        .description("Command execution time on the server, excluding network and fsync wait")
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(1_000))
                        .maximumExpectedValue(Duration.ofSeconds(10))
                        .register(registry);
                latency = t;
            }
            calls.increment();
            t.record(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
