/**
 * Conflict-free replicated data types and the hybrid logical clock that orders them. Pure Java:
 * no Quarkus or Vert.x types, so every law here can be property-tested and benchmarked alone.
 */
package io.hyperkv.crdt;
