/** Topology, slot map, coordinator, replication bus, hinted handoff and anti-entropy. */
package io.hyperkv.cluster;
