/** Storage: the ordered key-value {@code Engine} SPI, its RocksDB and memory engines, and the type encodings. */
package io.hyperkv.store;
