package io.hyperkv.server;

import io.hyperkv.cluster.repair.AntiEntropy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Anti-entropy's meters on {@code /q/metrics}, read from {@link AntiEntropy#totals()} at scrape time: rounds, key
 * hashes compared, keys exchanged (the rate of {@code hyperkv_anti_entropy_keys_repaired_total} is the repair
 * throughput), keys that changed this node, and the slots that differed in the last round.
 */
final class RepairMetrics {

    private RepairMetrics() {
    }

    static void register(MeterRegistry registry, AntiEntropy ae) {
        FunctionCounter.builder("hyperkv.anti.entropy.rounds", ae, a -> a.totals().rounds())
                .description("Anti-entropy rounds run since start").register(registry);
        FunctionCounter.builder("hyperkv.anti.entropy.keys.compared", ae, a -> a.totals().keysCompared())
                .description("Key state hashes compared inside differing slots").register(registry);
        FunctionCounter.builder("hyperkv.anti.entropy.keys.repaired", ae, a -> a.totals().keysRepaired())
                .description("Differing keys whose state anti-entropy exchanged with a co-owner").register(registry);
        FunctionCounter.builder("hyperkv.anti.entropy.keys.changed", ae, a -> a.totals().keysChangedHere())
                .description("Keys an anti-entropy merge changed on this node").register(registry);
        Gauge.builder("hyperkv.anti.entropy.slots.differing", ae, a -> a.totals().slotsDiffering())
                .description("Slots whose digest differed from a co-owner's in the last round").register(registry);
        FunctionCounter.builder("hyperkv.anti.entropy.parts", ae, a -> a.totals().partsExchanged())
                .description("Parts of keys too big for one message that anti-entropy sent or received")
                .register(registry);
        Gauge.builder("hyperkv.anti.entropy.message.bytes.max", ae, a -> a.totals().largestMessageBytes())
                .description("Largest anti-entropy message (state answer served or merge sent) since start, bytes")
                .register(registry);
    }
}
