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
 * (deltas hinted handoff holds for it)}], empty outside cluster mode; the same facts as {@code INFO replication}.
 * In cluster mode each slot run also has {@code "inSync"} (anti-entropy confirmed the node holds all the run's data; false after start-up, after gaining the
 * slots, after a co-owner came back, until a round confirms it) and {@code "lastRound"} (ISO-8601, the oldest last
 * round over the run; absent before one), runs being cut where the sync state changes; and {@code "antiEntropy":
 * {"rounds", "keysCompared", "keysRepaired", "keysChangedHere", "slotsOutOfSync", "lastRound": <as POST
 * /v1/repair answers>}}. Absent outside cluster mode.</td></tr>
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
 * <tr><td>{@code POST /v1/repair?waitSeconds=0}</td><td>starts an anti-entropy round now. 200 with the round's
 * report when it finishes within {@code waitSeconds} (0..600): {@code {"round", "epoch", "started", "durationMillis",
 * "peers", "slotsCompared", "slotsDiffering", "keysCompared", "keysRepaired", "keysChangedHere",
 * "keysRepairedPerSecond", "outOfSync", "problems"}}; else 202 {@code {"round": <id>, "state": "requested"}}. 409 on
 * a node not in cluster mode, 400 for a bad wait.</td></tr>
 * </table>
 */
package io.hyperkv.admin;
