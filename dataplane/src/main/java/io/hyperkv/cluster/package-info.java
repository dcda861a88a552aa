/**
 * Cluster membership and slot ownership: the topology document, deterministic placement, and the protocol that moves
 * slots between nodes without losing data (DESIGN.md section 5). Everything here is plain Java with no framework
 * types; the replication bus, coordinator, hinted handoff and anti-entropy build on it.
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link io.hyperkv.cluster.Topology}: the document (epoch, members, replication factor N, slot table) as an
 *       immutable, validated value; {@link io.hyperkv.cluster.ClusterNode}, {@link io.hyperkv.cluster.NodeId},
 *       {@link io.hyperkv.cluster.NodeState}, {@link io.hyperkv.cluster.SlotRange} are its parts.</li>
 *   <li>{@link io.hyperkv.cluster.CurrentTopology}: the topology in force on a node; only a higher epoch replaces it,
 *       and only after it is persisted.</li>
 *   <li>{@link io.hyperkv.cluster.TopologyCodec}: the JSON form below, written stably and read with messages fit for
 *       an HTTP 400.</li>
 *   <li>{@link io.hyperkv.cluster.Placement}: which members own which slots, from the member list and N.</li>
 *   <li>{@link io.hyperkv.cluster.Transition}, {@link io.hyperkv.cluster.SyncStatus}: the steps from one ownership
 *       to another, and the check that no step drops a slot's last in-sync owner.</li>
 *   <li>{@link io.hyperkv.cluster.SlotRanges}: runs of slots for {@code CLUSTER SLOTS}, {@code CLUSTER SHARDS},
 *       {@code CLUSTER NODES} and {@code GET /v1/node}.</li>
 *   <li>{@link io.hyperkv.cluster.TopologyStore}: the topology in force in the {@code sys} column family, fsynced before
 *       it is installed and restored at start-up.</li>
 *   <li>{@link io.hyperkv.cluster.ClusterSettings}, {@link io.hyperkv.cluster.PeerAddress},
 *       {@link io.hyperkv.cluster.Consistency}: the validated {@code hyperkv.cluster.*} configuration.</li>
 *   <li>{@link io.hyperkv.cluster.StaticBootstrap}: the first topology of a cluster formed from a static peer list
 *       (adopt a peer's, else epoch 1 of the standard placement once every peer introduced itself).</li>
 * </ul>
 *
 * <h2>The topology document</h2>
 * The body of {@code PUT /v1/topology}, the value persisted in the {@code sys} column family, and what peers gossip:
 * <pre>
 * {
 *   "epoch": 7,
 *   "replicationFactor": 2,
 *   "nodes": [
 *     {"id": "0000000000000000000000001f3a5c7e9b2d4f60", "host": "10.244.1.5", "port": 6379, "busPort": 16379, "state": "up"},
 *     {"id": "0000000000000000000000005c1e0a3f9d2b7e41", "host": "10.244.2.9", "port": 6379, "busPort": 16379, "state": "up"},
 *     {"id": "0000000000000000000000007d40e2b1c8a95f13", "host": "10.244.3.4", "port": 6379, "busPort": 16379, "state": "suspect"},
 *     {"id": "000000000000000000000000a9c2f4e6b8d01357", "host": "10.244.1.8", "port": 6379, "busPort": 16379, "state": "joining"}
 *   ],
 *   "slots": [
 *     {"start": 0,     "end": 5460,  "owners": ["0000000000000000000000001f3a5c7e9b2d4f60", "0000000000000000000000005c1e0a3f9d2b7e41"]},
 *     {"start": 5461,  "end": 10922, "owners": ["0000000000000000000000005c1e0a3f9d2b7e41", "0000000000000000000000007d40e2b1c8a95f13"]},
 *     {"start": 10923, "end": 16383, "owners": ["0000000000000000000000007d40e2b1c8a95f13", "0000000000000000000000001f3a5c7e9b2d4f60",
 *                                               "000000000000000000000000a9c2f4e6b8d01357"]}
 *   ]
 * }
 * </pre>
 * <ul>
 *   <li>{@code epoch} (integer, at least 1): a node installs a document only when its epoch is higher than the one in
 *       force. Equal epochs with different content are a conflict the author resolves with a new epoch.</li>
 *   <li>{@code replicationFactor} N (integer, 1 to the number of nodes): every slot has at least N owners.</li>
 *   <li>{@code nodes}: unique {@code id}s (a 64-bit id printed as 40 hex digits, the shape of a Redis node id;
 *       16-digit ids are read too), {@code host} and {@code port} where clients connect, {@code busPort} of the
 *       replication bus, {@code state} one of {@code up}, {@code suspect}, {@code down}, {@code joining},
 *       {@code leaving} (optional on input, {@code up} when absent).</li>
 *   <li>{@code slots}: inclusive ranges that together cover 0..16383 exactly once (any order on input; written in slot
 *       order, adjacent ranges with equal owners merged), each with its owners in preference order: the first is the
 *       "master" cluster-aware clients see, though every owner takes writes. An owner must be one of the nodes and
 *       appear once.</li>
 * </ul>
 * Unknown fields are ignored, duplicate fields refused. In the example, slots 10923..16383 are moving: the joining
 * node was added beside their two owners and is catching up; once it is in sync, a later epoch drops one of the
 * others.
 *
 * <h2>Placement rule</h2>
 * Rendezvous (highest-random-weight) hashing over blocks of 16 consecutive slots: each block is owned by the N
 * members (nodes not {@code leaving}) with the highest 64-bit score {@code mix(mix(id) ^ mix(block))}, highest first.
 * It depends only on the set of member ids and N, so every node derives the same table from the same static peer
 * list, and when one member joins or leaves, only that member's replicas move (about {@code N * 16384 / n} slots),
 * one per affected slot. The document always carries the table explicitly, so a node never needs to agree with the
 * author on how it was computed. See {@link io.hyperkv.cluster.Placement} for the balance figures and the block size.
 *
 * <h2>Join and leave protocol</h2>
 * A slot changes hands in the order "add, sync, drop", over successive epochs:
 * <ol>
 *   <li>The author (the operator, or a node acting on the static peer list) computes the target placement for the
 *       new member list: a joining node is a member in state {@code joining}; a leaving node stays listed in state
 *       {@code leaving} and owns nothing in the target.</li>
 *   <li><b>Expand</b> (next epoch): every slot that gains an owner gets the union of its current and target owners,
 *       current owners first. New owners take writes at once (the coordinator sends every write to every owner) and
 *       fill in the past through anti-entropy, which streams the slot from the owners that hold it.</li>
 *   <li><b>Sync</b>: anti-entropy reports, per owner and slot, when a round found nothing missing
 *       ({@link io.hyperkv.cluster.SyncStatus}).</li>
 *   <li><b>Contract</b> (a later epoch): a slot whose target owners are all owners and all in sync gets exactly its
 *       target owners; the others are dropped and may delete the slot's data. Slots not yet in sync keep every owner.</li>
 *   <li>When every slot has its target owners the transition is complete; a node that owns nothing and is
 *       {@code leaving} can then be removed from the member list and stopped.</li>
 * </ol>
 * A node that failed for good is handled the same way: it is left out of the target, its replacement is added beside
 * the surviving owners, and it is dropped once the replacement is in sync. Every step is computed by
 * {@link io.hyperkv.cluster.Transition#next} from the topology in force, the target and the sync status only, so the
 * author can crash and resume; and any document, however built, can be checked with
 * {@link io.hyperkv.cluster.Transition#requireSafe}: it must keep, for every slot that has an in-sync owner, at least
 * one owner in sync, and for a slot none of whose owners is in sync yet, at least one of its owners.
 */
package io.hyperkv.cluster;
