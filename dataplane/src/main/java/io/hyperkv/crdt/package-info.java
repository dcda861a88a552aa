/**
 * Conflict-free replicated data types and the hybrid logical clock that orders them. Pure Java:
 * no Quarkus or Vert.x types, so every law here can be property-tested and benchmarked alone.
 *
 * <h2>Model</h2>
 * Every value is an immutable state-based CRDT ({@link io.hyperkv.crdt.Crdt}); {@code merge} is
 * commutative, associative and idempotent, so delivery order, duplicates and retries never matter.
 * Mutators are delta-state: they return a small delta of the same type, which the caller merges
 * into its own state and ships to the other replicas. Collections and strings are
 * {@link io.hyperkv.crdt.CausalCrdt causal} CRDTs: a dot store plus the key's
 * {@link io.hyperkv.crdt.CausalContext} (a version vector of contiguous dot ranges). Removal is
 * observed-remove through the context, so no type keeps a tombstone per removed element.
 *
 * <h2>Merge rules (DESIGN.md §4)</h2>
 * <table>
 *   <caption>Redis types and operations, the CRDT behind them, and how concurrent operations merge</caption>
 *   <tr><th>Redis type / op</th><th>CRDT</th><th>merge rule</th></tr>
 *   <tr><td>string SET / APPEND / SETRANGE</td><td>{@link io.hyperkv.crdt.CounterRegister} assignment</td>
 *       <td>highest (HLC, node) stamp wins</td></tr>
 *   <tr><td>INCR / DECR / INCRBY / INCRBYFLOAT</td><td>{@link io.hyperkv.crdt.CounterRegister} increment (PN counter over the LWW base)</td>
 *       <td>increments from all replicas add up; <b>SET ∥ INCR: the SET wins and the concurrent increment is
 *       dropped</b> (it was made against an older base); DEL ∥ INCR keeps the increments the DEL had not seen</td></tr>
 *   <tr><td>hash HSET / HDEL / HINCRBY / HINCRBYFLOAT</td><td>{@link io.hyperkv.crdt.OrMap} field → register</td>
 *       <td>HSET ∥ HSET: LWW; HINCRBY ∥ HINCRBY: add up; update ∥ HDEL: the update wins, HDEL removes only
 *       what it had seen</td></tr>
 *   <tr><td>set SADD / SREM</td><td>{@link io.hyperkv.crdt.OrSet}</td><td>add wins over a concurrent SREM</td></tr>
 *   <tr><td>sorted set ZADD / ZINCRBY / ZREM</td><td>{@link io.hyperkv.crdt.OrMap} member → score register</td>
 *       <td>membership add-wins; score LWW for ZADD, added up for ZINCRBY (ZADD ∥ ZINCRBY: ZADD wins)</td></tr>
 *   <tr><td>list LPUSH / RPUSH / LINSERT / LSET / LREM / LPOP / RPOP / LTRIM</td><td>{@link io.hyperkv.crdt.Sequence}
 *       at dense {@link io.hyperkv.crdt.Position}s made of HLC stamp + node</td>
 *       <td>concurrent inserts are all kept, in one order on every replica; LSET ∥ LSET: LWW;
 *       <b>POP is at-least-once across replicas</b>: concurrent pops on two replicas may return the same
 *       element, which is removed once</td></tr>
 *   <tr><td>EXPIRE / PEXPIREAT / PERSIST (and SET clearing the TTL)</td><td>{@link io.hyperkv.crdt.Expiry}</td>
 *       <td>LWW on the expiry field: sequential operations as in Redis, concurrent ones by stamp</td></tr>
 *   <tr><td>DEL / overwrite</td><td>{@link io.hyperkv.crdt.CausalCrdt#clear} (observed-remove of the whole key)</td>
 *       <td>removes what the deleting replica had seen; concurrent additions survive. The key's context
 *       remains until {@link io.hyperkv.crdt.CausalCrdt#isCollectable causally stable}</td></tr>
 *   <tr><td>metadata (no Redis op)</td><td>{@link io.hyperkv.crdt.LwwRegister}</td><td>highest stamp wins</td></tr>
 * </table>
 *
 * <h2>Rules for callers</h2>
 * <ul>
 *   <li>Each node has one {@link io.hyperkv.crdt.HybridLogicalClock}, built at start from the persisted
 *       {@link io.hyperkv.crdt.HybridLogicalClock#highWaterMark() high-water mark}; its persister
 *       writes the mark durably (the {@code sys} column family) about once per reservation window.</li>
 *   <li>Call a mutator on the replica's <em>current</em> state of the key (which includes its own earlier
 *       deltas), then merge the delta into it before the next mutator: dots are minted from that state.</li>
 *   <li>Before merging a remote delta or state, pass {@link io.hyperkv.crdt.Crdt#latest()} to
 *       {@link io.hyperkv.crdt.Clock#observe}; a {@link io.hyperkv.crdt.ClockSkewException} means the
 *       peer's clock is too far ahead: refuse the message, it will be retried.</li>
 *   <li>Bytes go through {@link io.hyperkv.crdt.CrdtCodec} (format version byte first, canonical so equal
 *       states have equal bytes and digests); its decoder throws only {@link io.hyperkv.crdt.CodecException}
 *       on bad input.</li>
 *   <li>Garbage collection: the only state that outlives its usefulness is a deleted key's context; drop
 *       the key when {@link io.hyperkv.crdt.CausalCrdt#isCollectable} holds for the causally stable
 *       horizon (its Javadoc says how to compute one). Removed set members, hash fields and list
 *       elements leave nothing behind, so there is nothing else to collect. A key re-created after
 *       being dropped starts a new dot lifetime above the old one (see {@link io.hyperkv.crdt.CausalContext}).</li>
 * </ul>
 */
package io.hyperkv.crdt;
