package io.hyperkv.operator.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.File;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How crds/ is generated from the classes: fabric8's CRD generator, with printer columns put back in the order the
 * classes declare them (the generator does not keep it, and kubectl shows columns in list order).
 */
public final class CrdGeneration {

  static final Map<String, Class<?>> KINDS = Map.of(
      "HyperKVCluster", HyperKVCluster.class,
      "HyperKVSnapshot", HyperKVSnapshot.class);

  private CrdGeneration() {
  }

  public static int generateInto(File dir) {
    return new CRDGenerator()
        .inOutputDir(dir)
        .forCRDVersions("v1")
        .withPostProcessor(new CRDPostProcessor() {
          @Override
          public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            orderPrinterColumns((CustomResourceDefinition) crd);
            return crd;
          }
        })
        .customResourceClasses(HyperKVCluster.class, HyperKVSnapshot.class)
        .generate();
  }

  private static void orderPrinterColumns(CustomResourceDefinition crd) {
    Class<?> type = KINDS.get(crd.getSpec().getNames().getKind());
    List<String> declared = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name)
        .toList();
    for (var version : crd.getSpec().getVersions()) {
      if (version.getAdditionalPrinterColumns() != null) {
        version.getAdditionalPrinterColumns().sort(Comparator.comparingInt(
            (CustomResourceColumnDefinition c) -> declared.indexOf(c.getName())));
      }
    }
  }
}
