/**
 * The command table (name, arity, flags, key positions, ACL categories) and the handlers, one
 * class per command family. Pure Java: handlers see the store through {@code store} types and the
 * connection through {@link io.hyperkv.command.ClientSession}.
 *
 * <p>{@link io.hyperkv.command.Commands#standard} builds the table: {@code StringCommands},
 * {@code KeyCommands}, {@code OrderedKeyCommands} (KRANGE, a HyperKV extension), {@code ServerCommands} (INFO, CONFIG, TIME, SAVE/BGSAVE/LASTSAVE, SHUTDOWN)
 * and {@code IntrospectionCommands} (COMMAND). The server adds its connection commands to the same
 * table. Replies and error texts follow redis-server 7.0 word for word; {@code RedisDifferentialTest}
 * holds the evidence as a table of command sequences run against both.
 *
 * <p>Differences by design: OBJECT IDLETIME counts from the last write (reads do not write to
 * disk); OBJECT FREQ always answers that no LFU policy is set; SCAN cursors name a position kept
 * by the server, and a cursor it does not know restarts the scan (keys may repeat, none is lost);
 * FLUSHDB/FLUSHALL ASYNC and SYNC are both O(1) range deletions; SAVE/BGSAVE make RocksDB
 * checkpoints under {@code <data dir>/checkpoints}; INFO's {@code avg_ttl} is 0 (not estimated).
 */
package io.hyperkv.command;
