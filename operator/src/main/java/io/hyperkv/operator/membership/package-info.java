/**
 * Membership: the operator's side of the admin-API contract (DESIGN.md section 7) and the topology it installs.
 *
 * <h2>Wire contract (JSON over HTTP on port 8080, {@code Authorization: Bearer <admin token>})</h2>
 *
 * <table>
 * <caption>Calls the operator makes</caption>
 * <tr><th>call</th><th>request</th><th>response</th></tr>
 * <tr><td>{@code GET /v1/node}</td><td>-</td><td>{@link io.hyperkv.operator.membership.NodeReport}:
 * {@code {"nodeId","version","epoch","ready","keys","diskBytes","memoryBytes","hintsPending":{peer:n},
 * "slots":[{"start","end","inSync","lastRound"}]}}; {@code slots} are the ranges the node owns under the
 * topology in force and whether its anti-entropy round says it holds all their data.</td></tr>
 * <tr><td>{@code PUT /v1/topology}</td><td>{@link io.hyperkv.operator.membership.Topology}:
 * {@code {"epoch","replicationFactor","nodes":[{"id","host","port","busPort"}],
 * "slots":[{"start","end","owners":[id...]}]}}</td><td>{@code {"epoch": n}}, the epoch in force after the call
 * (a node keeps a topology of higher epoch and answers with it).</td></tr>
 * </table>
 * 401 without or with a wrong token. Slot ranges are inclusive, cover 0..16383 exactly once, in order.
 *
 * <h2>Safety</h2>
 * The operator never installs a topology that takes a slot away from its last in-sync owner: see
 * {@link io.hyperkv.operator.membership.TopologyPlanner}.
 */
package io.hyperkv.operator.membership;
