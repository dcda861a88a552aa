package io.hyperkv.e2e.kind;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * Marks a class of the kind suite: it needs a real cluster (the current kube context) with the chart installed
 * and a HyperKVCluster applied, as e2e/run.sh prepares. The normal build excludes the {@code kind} tag; the
 * Maven profile {@code e2e} selects only it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("kind")
public @interface KindTest {
}
