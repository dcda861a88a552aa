package io.hyperkv.e2e.kind;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * A shell script run once inside the cluster, in a Job whose pod has redis-cli and redis-benchmark and the
 * cluster's password in {@code REDISCLI_AUTH} (and {@code REDIS_PASSWORD} for redis-benchmark's {@code -a}).
 * The clients reach HyperKV exactly as an application pod would: through cluster DNS and the client Service.
 *
 * <p>Invariants: the Job never retries (backoffLimit 0: a retried writer would double-count), its pod is
 * deleted with it, and {@link #awaitLog(Duration)} bounds every wait.
 */
final class ClientJob implements AutoCloseable {

    private static final String JOB_LABEL = "hyperkv.io/e2e-job";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    private ClientJob(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    /** Starts the script and returns at once; the script's environment holds {@code env} plus the password. */
    static ClientJob start(KubernetesClient client, SuiteSettings settings, ClusterUnderTest cluster, String purpose,
            String script, Map<String, String> env) {
        String name = ("hkv-client-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 6))
                .toLowerCase(Locale.ROOT);
        Job job = job(settings, name, script, env, cluster.passwordSecret());
        client.batch().v1().jobs().inNamespace(settings.namespace()).resource(job).create();
        return new ClientJob(client, settings.namespace(), name);
    }

    /**
     * The Job for a script: one pod, never retried, non-root under the "restricted" Pod Security Standard, the
     * password from the cluster's Secret.
     */
    static Job job(SuiteSettings settings, String name, String script, Map<String, String> env,
            ClusterUnderTest.SecretKey password) {
        List<EnvVar> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(new EnvVar(k, v, null)));
        for (String var : List.of("REDISCLI_AUTH", "REDIS_PASSWORD")) {
            vars.add(new EnvVarBuilder().withName(var).withNewValueFrom().withNewSecretKeyRef()
                    .withName(password.name()).withKey(password.key()).endSecretKeyRef().endValueFrom().build());
        }
        return new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(settings.namespace())
                    .addToLabels("app.kubernetes.io/part-of", "hyperkv-e2e")
                    .addToLabels(JOB_LABEL, name)
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withActiveDeadlineSeconds(settings.settle().toSeconds() + 300)
                    .withNewTemplate()
                        .withNewMetadata().addToLabels(JOB_LABEL, name).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withAutomountServiceAccountToken(false)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true).withRunAsUser(999L).withRunAsGroup(999L)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .addNewContainer()
                                .withName("client")
                                .withImage(settings.clientImage())
                                .withImagePullPolicy("IfNotPresent")
                                .withCommand("sh", "-c", script)
                                .withWorkingDir("/tmp")
                                .withEnv(vars)
                                .withNewSecurityContext()
                                    .withAllowPrivilegeEscalation(false)
                                    .withNewCapabilities().addToDrop("ALL").endCapabilities()
                                .endSecurityContext()
                            .endContainer()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    /** Runs the script to completion and returns what it printed. */
    static String run(KubernetesClient client, SuiteSettings settings, ClusterUnderTest cluster, String purpose,
            String script, Map<String, String> env) {
        try (ClientJob job = start(client, settings, cluster, purpose, script, env)) {
            return job.awaitLog(Duration.ofMinutes(5));
        }
    }

    /** Waits until the script has printed a line containing {@code marker} (e.g. its first progress report). */
    void awaitOutput(String marker, Duration atMost) {
        await(name + " prints " + marker).atMost(atMost).pollInterval(Duration.ofSeconds(2))
                .until(() -> {
                    failIfJobFailed();
                    Pod pod = pod();
                    return pod != null && pod.getStatus() != null && !"Pending".equals(pod.getStatus().getPhase())
                            && log(pod).contains(marker);
                });
    }

    /** Waits for the script to exit 0 and returns its output; a non-zero exit fails with the output. */
    String awaitLog(Duration atMost) {
        await(name + " completes").atMost(atMost).pollInterval(Duration.ofSeconds(2)).until(() -> {
            failIfJobFailed();
            JobStatus status = job().getStatus();
            return status != null && status.getSucceeded() != null && status.getSucceeded() > 0;
        });
        return log(pod());
    }

    private void failIfJobFailed() {
        JobStatus status = job().getStatus();
        if (status != null && status.getFailed() != null && status.getFailed() > 0) {
            Pod pod = pod();
            throw new AssertionError("client job " + name + " failed; its output:\n" + (pod == null ? "(no pod)" : log(pod)));
        }
    }

    private Job job() {
        return client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    }

    private Pod pod() {
        return client.pods().inNamespace(namespace).withLabel(JOB_LABEL, name).list().getItems().stream()
                .findFirst().orElse(null);
    }

    private String log(Pod pod) {
        return client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).getLog();
    }

    @Override
    public void close() {
        client.batch().v1().jobs().inNamespace(namespace).withName(name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
    }
}
