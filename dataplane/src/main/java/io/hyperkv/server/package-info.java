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
 */
package io.hyperkv.server;
