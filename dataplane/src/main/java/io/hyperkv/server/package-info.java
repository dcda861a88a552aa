/**
 * Vert.x wiring: listeners, connection state, pub/sub.
 *
 * <p>Pub/sub: {@code PubSubHub} is the node's registry (channel → copy-on-write subscriber array,
 * patterns matched with {@code store.Glob}, shard channels apart); {@code PubSubCommands} the
 * (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PUBLISH / SPUBLISH / PUBSUB family; {@code Subscriptions} a
 * connection's side. A message is encoded once per protocol and reaches each subscriber on its own
 * event loop ({@code Connection.deliver}). {@code client-output-buffer-limit} (CONFIG SET, Redis's
 * syntax and defaults: pubsub 32mb hard, 8mb for 60 s soft) cuts a client whose queued bytes, beyond
 * Redis's uncounted 16 KB reply buffer, pass a limit. Keyspace notifications are published through
 * the same hub by {@code command.KeyspaceEvents}.
 *
 * <p>Cluster mode ({@code Coordinator}, absent on a single node): every client write runs inside a
 * {@code Replicator} scope that collects the {@code KeyDelta}s the keyspace commits and ships them, one batch
 * per other owner of the slot, over the bus when the command ends; its {@code Acks} complete as owners
 * acknowledge, and {@code Connection} holds the command's reply ({@code HeldReplies}, request order kept, later
 * commands still running) until W owners hold the write or the bound passes ({@code -NOQUORUM}). Peers merge
 * what they receive in {@code DeltaApplier}. {@code Router} sends commands on keys this node does not own to an
 * owner through {@code Forwarder} (pooled RESP connections to its client port), splits MGET/MSET/DEL/UNLINK/
 * EXISTS/TOUCH per slot and answers CROSSSLOT as Redis Cluster does.
 */
package io.hyperkv.server;
