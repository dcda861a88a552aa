/**
 * Storage: the ordered key-value {@link io.hyperkv.store.Engine} SPI and its RocksDB engine, the
 * on-disk layouts of every value, the logical databases over them ({@link io.hyperkv.store.Keyspace})
 * with passive and active expiry, and checkpoints.
 *
 * <h2>Layouts</h2>
 *
 * Every key starts with the db index (one byte, 0..15) and, except in the expiry index, the
 * cluster slot (two bytes, {@link io.hyperkv.store.KeySlot}: CRC16 of the key or its
 * {@code {hash tag}} mod 16384). A db, or one slot of a db, is therefore one contiguous key range:
 * FLUSHDB is a range deletion and a slot can be streamed or dropped as a range. Integers are
 * big-endian so byte order is numeric order. {@code |} is concatenation.
 *
 * <table>
 * <caption>Column families and their key/value layouts</caption>
 * <tr><th>column family</th><th>key</th><th>value</th><th>holds</th></tr>
 * <tr><td>{@code meta}</td><td>{@code db u8 | slot u16 | key}</td>
 *     <td>{@link io.hyperkv.store.Metadata}: {@code format u8 (1) | type u8 | encoding u8 | flags u8 | version u64 |
 *     stamp.time u64 | stamp.node u64 | [expireAt u64 | expiryStamp.time u64 | expiryStamp.node u64] | [size u64] |
 *     [contextLen u32 | context] | payload}</td>
 *     <td>one entry per key of every type; a string's bytes are the payload (inline)</td></tr>
 * <tr><td>{@code sub}</td><td>{@code db u8 | slot u16 | keyLen u32 | key | version u64 | field}</td>
 *     <td>one element's CRDT state, {@link io.hyperkv.crdt.ElementCodec}: a set member's dots, a hash
 *     field's contributions; sorted sets and lists prefix it as in the table below</td>
 *     <td>hash fields, set members, sorted-set members, list elements of the key's current version</td></tr>
 * <tr><td>{@code zscore}</td><td>{@code db u8 | slot u16 | keyLen u32 | key | version u64 | score (sortable 8 bytes) | member}</td>
 *     <td>empty (one byte 1 for a -0.0 score)</td><td>sorted-set score index</td></tr>
 * <tr><td>{@code expire}</td><td>{@code db u8 | expireAt u64 | slot u16 | key}</td><td>empty</td>
 *     <td>one entry per key with a time to live, earliest deadline first: the active expiry cycle reads from the front</td></tr>
 * <tr><td>{@code order}</td><td>{@code db u8 | key}</td><td>empty</td>
 *     <td>one entry per key, written when a key is created and deleted only (never on update), in the same
 *     batch as its META: a db's keys in byte order for KRANGE (META is in slot order). A store without it
 *     gets it built in one pass over META at start.</td></tr>
 * <tr><td>{@code hints}</td><td>{@code peer u64 | seq u64} (one counter for all peers)</td>
 *     <td>{@code storedAt u64 | envelope} (the bus's EnvelopeCodec)</td><td>deltas for unreachable replicas, oldest
 *     first per peer (hinted handoff, {@code server.HintStore})</td></tr>
 * <tr><td>{@code sys}</td><td>ASCII name</td><td></td><td>{@code node-id} (8 bytes), {@code topology} (TopologyCodec JSON), {@code hlc-high-water-mark} (8 bytes),
 *     {@code flush-cut:} + db u8 → {@code time u64 | node u64}: the db's highest FLUSHDB/FLUSHALL cut in cluster mode
 *     ({@link io.hyperkv.store.FlushCut}), written in the batch of the flush it records</td></tr>
 * </table>
 *
 * <h2>Metadata fields</h2>
 * <ul>
 * <li>{@code type}: 1 string, 2 hash, 3 set, 4 zset, 5 list ({@link io.hyperkv.store.ValueType});
 *     {@code encoding}: what OBJECT ENCODING prints ({@link io.hyperkv.store.Encoding}).</li>
 * <li>{@code flags}: bit 0 expiry section present, bit 1 size present (collections), bit 2 causal context present, bit 3 tombstone, bit 4 elementsHash present, bit 5 elementsHash stale (not kept: written on a single node; no hash bytes).</li>
 * <li>{@code version}: chosen when the key is created or replaced (the creating stamp's time). Sub-keys
 *     carry it, so DEL or overwrite of a collection rewrites only the metadata and drops
 *     {@code key|oldVersion|*} with one range tombstone, whatever the collection's size.</li>
 * <li>{@code stamp}: HLC time and node id of the last write (the LWW order of DESIGN.md §4).</li>
 * <li>{@code expireAt}: absolute Unix ms, 0 = none; {@code expiryStamp}: the write that set or cleared
 *     it (PERSIST keeps the section with expireAt 0, so LWW on the expiry field has its stamp).</li>
 * <li>{@code context}: a collection's causal context ({@link io.hyperkv.crdt.ElementCodec#encodeContext}):
 *     every dot the key has seen, so an element row plus this context is a valid slice of the CRDT
 *     state and the type's mutators run on the elements a command touches only.</li>
 * </ul>
 *
 * <h2>Collections</h2>
 * A collection is its META row plus one {@code sub} row per element under {@code P = db | slot |
 * keyLen | key | version}. A command reads META and the element rows it touches, builds a slice
 * of the CRDT ({@link io.hyperkv.crdt.DotMap#of} with the stored context), runs the mutator, merges
 * the delta into the slice and stages, in one {@link io.hyperkv.store.Keyspace.Changes} batch, the
 * touched rows (written or deleted) and META (size, context, stamp). {@code size} counts elements
 * with a value, so HLEN/SCARD/ZCARD/LLEN are O(1); a collection emptied by a command loses its
 * META row (while replicating it leaves a tombstone with its causal context instead). Per type (each family's class documents its rows in detail):
 * <table>
 * <caption>Collection rows</caption>
 * <tr><th>type</th><th>META payload</th><th>{@code sub} key → value</th><th>{@code zscore} key</th></tr>
 * <tr><td>hash</td><td>empty</td><td>{@code P | field} → field contributions</td><td>–</td></tr>
 * <tr><td>set</td><td>empty</td><td>{@code P | member} → member dots</td><td>–</td></tr>
 * <tr><td>zset</td><td>empty</td><td>{@code P | member} → {@code score f64 | contributions}</td>
 *     <td>{@code P | sortable(score) | member} → empty, or {@code 1} when the score is -0.0
 *     ({@link io.hyperkv.store.ZSetStore})</td></tr>
 * <tr><td>list</td><td>{@code headLen u16 | head sortKey | tailLen u16 | tail sortKey | listpackBytes u64}
 *     ({@link io.hyperkv.store.ListStore})</td><td>{@code P | Position.sortKey()} → contributions</td><td>–</td></tr>
 * </table>
 * Hashes live in {@link io.hyperkv.store.HashStore}, sets in {@link io.hyperkv.store.SetStore}: a hash
 * field whose row holds only removal offsets (HDEL after HINCRBY) is stored but not counted in
 * {@code size} and invisible to reads; a set row always holds at least one dot. Every store writes
 * its element rows through a {@code RowWriter}, which, while replicating, keeps META's {@code elementsHash} (XOR of
 * {@code ElementHash} over the rows; a single node marks it stale instead, flag 32, and setting the delta sink
 * rebuilds every stale one from the rows in the pass that starts the slot digests) and names the rows in the write's
 * {@link io.hyperkv.store.KeyDelta}; a collection emptied while replicating leaves a tombstone with
 * its context, which a new collection of the key continues. Each store registers a
 * {@link io.hyperkv.store.CollectionReplica} ({@code RowReplica}: one row-by-row join for all four
 * types) that merges replicas' deltas into its rows. Anti-entropy ships a collection too big for one
 * message in parts of consecutive element ranges ({@link io.hyperkv.store.KeyDelta.Part},
 * {@code Keyspace.capturePart}), and a whole state meeting a large local collection is merged range by
 * range too; the {@code Part} Javadoc argues why a part joins rows but not the whole context. When a collection of at
 * least {@code Keyspace.RECLAIM_MIN_ELEMENTS} elements is deleted or replaced, the keyspace asks the
 * engine to flush and compact its old range in the background
 * ({@link io.hyperkv.store.Engine#compactRangeSoon}), so its disk space comes back at once.
 * COPY writes a collection as a fresh CRDT state: each element re-minted under a fresh dot of this
 * node and a fresh context, so a copy never shares operations with its source; RENAME moves the
 * rows unchanged ({@code CollectionCopy} argues both).
 * Format 1 is the first; a reader refuses a format it does not know rather than guessing.
 *
 * <h2>Caching</h2>
 * Decoded {@code meta} rows are cached in the heap ({@link io.hyperkv.store.MetaCache}, bounded by
 * bytes, write-through, absent keys included), so reads of hot keys and the read every write makes
 * first do not search RocksDB. The cache is coherent only because every {@code meta} write goes
 * through {@link io.hyperkv.store.Keyspace}; code that writes the family directly must clear it.
 * Element rows ({@code sub}) have a cache of their own inside the engine
 * ({@link io.hyperkv.store.RowCache}, an eighth of the heap, absent rows included): every engine write
 * of the family updates it, so it needs no caller's help, and a range deletion empties it.
 *
 * <h2>Durability</h2>
 * The WAL is always on and written before a write returns. {@code appendfsync} decides when it is
 * fsynced: {@code always} by a group commit ({@link io.hyperkv.store.Engine#durable()}),
 * {@code everysec} by a background thread, {@code no} by the OS. Recovery replays the WAL up to the
 * first torn record (RocksDB point-in-time recovery) instead of refusing to start.
 */
package io.hyperkv.store;
