/**
 * HTTP admin API used by the operator (DESIGN.md section 7), on the Quarkus HTTP port (8080) beside
 * {@code /q/health} and {@code /q/metrics}. Wiring only: the facts come from {@link io.hyperkv.server.LocalNode}, the
 * rules from {@code cluster} and {@code store}.
 *
 * <h2>Authorization</h2>
 * Every {@code /v1} call carries {@code Authorization: Bearer <hyperkv.admin.token>}. Without it, with another scheme
 * or another token: 401, a {@code WWW-Authenticate: Bearer} header and {@code {"error": "..."}}. When
 * {@code hyperkv.admin.token} is unset, only clients on a loopback address are served (others get 401 saying so), as
 * Redis's protected mode does without a password; see {@link io.hyperkv.admin.AdminAuthorization}. Health and metrics
 * need no token.
 *
 * <h2>Calls</h2>
 * Every error answer is {@code {"error": "<what is wrong>"}}; 503 with such a body while the node starts or stops.
 * <table>
 * <caption>The admin API</caption>
 * <tr><th>call</th><th>answer</th></tr>
 * <tr><td>{@code GET /v1/node}</td><td>200 {@code {"nodeId": "<40 hex>", "version", "clusterEnabled", "epoch"
 * (0: no topology), "ready" (the readiness probe's verdict), "draining", "keys", "diskBytes" (the store's files,
 * checkpoints excluded), "memoryBytes" (JVM plus RocksDB memtables and block cache), "slots": [{"start", "end"}]}}:
 * the slot runs this node owns under the topology in force, in order; "peers": [{"id" (40 hex, null before the
 * peer's handshake), "address" (its client {@code host:port}, null while no topology lists it), "bus" (the bus
 * address dialled), "state" ("up" | "suspect" | "down", this node's failure detector), "connected", "silentMillis"
 * (-1: never heard), "lagFrames" and "lagBytes" (delta frames accepted for it and not acknowledged), "hintsPending"
 * (deltas hinted handoff holds for it)}], empty outside cluster mode; the same facts as {@code INFO replication}. Not
 * reported yet, because nothing produces them before anti-entropy exists: {@code antiEntropy} and the per-run
 * {@code inSync} and {@code lastRound}. They are absent, not zero or false.</td></tr>
 * <tr><td>{@code PUT /v1/topology}</td><td>body: the topology document of {@link io.hyperkv.cluster.TopologyCodec}.
 * 200 {@code {"epoch": <in force after the call>, "outcome": "installed" | "already-in-force" | "stale"}}: a stale
 * document leaves the node's higher epoch in force and says which. 409 {@code {"epoch", "outcome": "conflict",
 * "error"}}: the same epoch with different content is in force; send it again with a higher epoch. 400: the body is
 * not a valid document (the message names the field or the broken rule). 409 {@code {"error"}} on a node not in
 * cluster mode. An installed document is fsynced in the {@code sys} column family before the answer and restored at
 * start-up.</td></tr>
 * <tr><td>{@code POST /v1/snapshots}</td><td>optional body {@code {"id": "<name>"}}; 201 {@code {"id", "bytes",
 * "createdAt"}}: a RocksDB checkpoint under {@code <data dir>/checkpoints/<id>}, laid out as a data directory. 400 for
 * a bad id (or one starting with {@code save-}, SAVE's), 409 for an id in use.</td></tr>
 * <tr><td>{@code GET /v1/snapshots}</td><td>200 {@code {"snapshots": [{"id", "bytes", "createdAt"}]}}, SAVE's
 * included.</td></tr>
 * <tr><td>{@code POST /v1/drain?timeoutSeconds=30}</td><td>blocks: unready at once, new client connections refused
 * with an error line, commands in flight finish, client connections closed, log fsynced. 200 {@code {"drained": true,
 * "connectionsClosed", "elapsedMillis"}}; 503 {@code {"drained": false, ..., "error"}} when something was still
 * pending at the deadline. One-way until the process restarts. 400 for a timeout outside 1..3600.</td></tr>
 * </table>
 * {@code POST /v1/repair} (start an anti-entropy round) is not offered until anti-entropy exists: it answers 404.
 */
package io.hyperkv.admin;
