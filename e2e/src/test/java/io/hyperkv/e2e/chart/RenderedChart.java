package io.hyperkv.e2e.chart;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The objects one rendering of the chart produced, parsed into fabric8's typed model (so a field the model
 * does not know, or a wrong type, fails the parse rather than passing unnoticed).
 *
 * @param manifest the rendered YAML as Helm printed it
 * @param objects  the objects in manifest order
 */
public record RenderedChart(String manifest, List<HasMetadata> objects) {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    public RenderedChart {
        objects = List.copyOf(objects);
    }

    static RenderedChart parse(String manifest) {
        Object parsed = SERIALIZATION.unmarshal(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)));
        List<HasMetadata> objects;
        if (parsed instanceof List<?> list) {
            objects = list.stream().filter(Objects::nonNull).map(HasMetadata.class::cast).toList();
        } else if (parsed instanceof HasMetadata single) {
            objects = List.of(single);
        } else {
            objects = List.of();
        }
        return new RenderedChart(manifest, objects);
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new NoSuchElementException("expected one " + type.getSimpleName() + " but the chart rendered "
                    + found.size() + ":\n" + manifest);
        }
        return found.get(0);
    }

    public <T extends HasMetadata> T named(Class<T> type, String name) {
        return all(type).stream()
                .filter(o -> name.equals(o.getMetadata().getName()))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no " + type.getSimpleName() + " named " + name
                        + " in:\n" + manifest));
    }
}
