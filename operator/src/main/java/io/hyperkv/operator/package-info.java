/** HyperKV operator: reconciles HyperKVCluster and HyperKVSnapshot resources into running data-plane clusters. */
package io.hyperkv.operator;
