/**
 * Membership: the operator's side of the admin-API contract (DESIGN.md section 7) and the topology it installs.
 *
 * <h2>Wire contract (JSON over HTTP on port 8080, {@code Authorization: Bearer <admin token>})</h2>
 *
 * <table>
 * <caption>Calls the operator makes</caption>
 * <tr><th>call</th><th>request</th><th>response</th></tr>
 * <tr><td>{@code GET /v1/node}</td><td>-</td><td>{@link io.hyperkv.operator.membership.NodeReport}:
 * {@code {"nodeId" (40 hex),"version","clusterEnabled","epoch" (0: no topology),"ready","draining","keys",
 * "diskBytes","memoryBytes","slots":[{"start","end"}]}}; {@code slots} are the ranges the node owns under the
 * topology in force. Optional, absent from today's data plane (no anti-entropy or hinted handoff yet):
 * {@code "hintsPending":{peer:n}} and, per range, {@code "inSync"} and {@code "lastRound"}. An absent
 * {@code inSync} is unknown, not false (see {@link io.hyperkv.operator.membership.TopologyPlanner#verifySafe}).
 * The node answers before it is ready: a cluster-mode node is unready until it holds a topology.</td></tr>
 * <tr><td>{@code PUT /v1/topology}</td><td>{@link io.hyperkv.operator.membership.Topology}:
 * {@code {"epoch","replicationFactor","nodes":[{"id","host","port","busPort"}],
 * "slots":[{"start","end","owners":[id...]}]}}</td><td>200 {@code {"epoch","outcome"}} with outcome
 * {@code installed}, {@code already-in-force} or {@code stale} (the node keeps a higher epoch and answers with it);
 * 409 {@code {"epoch","outcome":"conflict","error"}}: the node holds that epoch with other content, send again with
 * a higher epoch ({@link io.hyperkv.operator.membership.TopologyAnswer}); 409 {@code {"error"}}: the node is not in
 * cluster mode; 400 {@code {"error"}}: the document is invalid.</td></tr>
 * </table>
 * 401 ({@code {"error"}}, {@code WWW-Authenticate: Bearer}) without or with a wrong token; 503 {@code {"error"}}
 * while the node starts or stops.
 * Slot ranges are inclusive, cover 0..16383 exactly once, in order.
 *
 * <h2>Safety</h2>
 * The operator never installs a topology that takes a slot away from every owner that holds or may hold its data
 * (in sync, or sync state unknown): see
 * {@link io.hyperkv.operator.membership.TopologyPlanner}.
 */
package io.hyperkv.operator.membership;
