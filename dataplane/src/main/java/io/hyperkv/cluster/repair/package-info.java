/**
 * Anti-entropy (DESIGN.md section 5): how replicas find and repair the keys on which they differ, how a new owner of a
 * slot receives its data, and how a node knows it holds all of its slots' data ("in sync").
 *
 * <ul>
 *   <li>{@link io.hyperkv.cluster.repair.StateExchange}: the bus calls replicas answer and make (slot digests, key
 *       hashes of a slot, fetch of full key states, merge of pushed states), over
 *       {@link io.hyperkv.cluster.bus.BusRpc}; the coordinator's quorum reads use its {@code fetch}.</li>
 *   <li>{@link io.hyperkv.cluster.repair.AntiEntropy}: rounds on a schedule, when a co-owner returns, when the
 *       topology changes and on request ({@code POST /v1/repair}); drops the slots this node stopped owning.</li>
 *   <li>{@link io.hyperkv.cluster.repair.SlotRepair}: differing slots of one database against one co-owner: key
 *       hashes walked page by page on both sides, big keys shipped in parts, so a round's memory and message size do
 *       not grow with a slot's keys or a key's elements.</li>
 *   <li>{@link io.hyperkv.cluster.repair.SlotSync}: per slot, in sync or not and the last round: the
 *       {@link io.hyperkv.cluster.SyncStatus} of this node, as {@code GET /v1/node} reports it.</li>
 *   <li>{@link io.hyperkv.cluster.repair.RoundReport}: what a round did.</li>
 * </ul>
 */
package io.hyperkv.cluster.repair;
