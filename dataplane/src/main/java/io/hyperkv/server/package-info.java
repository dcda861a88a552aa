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
 * EXISTS/TOUCH per slot and answers CROSSSLOT as Redis Cluster does. The wait is {@code hyperkv.cluster.replica-wait}.
 *
 * <p>Which writes make a reply wait for W: every write a client is answered for. A command flagged WRITE, and EXEC
 * with everything its transaction ran, replicate in their scope (a forwarded command or transaction in the owner's
 * scope, whose reply the forwarding node relays). A blocking pop (BLPOP, BLMOVE, BZPOPMIN...) served later, when
 * another client's push wakes it, retries in a scope of its own connection ({@code BlockedClients.Receiver#retry}),
 * so its reply waits for W like the pop it is, or is {@code -NOQUORUM}. Writes nobody is answered for leave alone
 * and nobody waits: active expiry's deletes, the delete of an expired key a read meets (lazy expiry), the tombstone
 * collector. A peer that misses one gets it from hints or anti-entropy; no client was told it succeeded.
 *
 * <p>Slots that move away: when a topology takes a slot from this node, its shard channels' subscribers get a
 * {@code sunsubscribe} push ({@code ClusterPubSub}, as Redis Cluster's {@code removeChannelsInSlot}) and clients
 * blocked on its keys are answered {@code -MOVED} to an owner; when anti-entropy then drops the slot's keys
 * ({@code Keyspace#dropSlot}), WATCHed keys of the slot are dirtied.
 */
package io.hyperkv.server;
