package io.hyperkv.operator.api;

/** Schema patterns shared by the spec classes. */
final class Quantities {

  /** A Kubernetes resource quantity without exponent forms: {@code 512Mi}, {@code 10Gi}, {@code 1.5G}, {@code 1000}. */
  static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";

  private Quantities() {
  }
}
