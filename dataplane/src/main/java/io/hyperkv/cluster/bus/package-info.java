/**
 * The replication bus (DESIGN.md section 5): how nodes of a cluster authenticate each other, watch each other's
 * health, spread the topology and carry CRDT deltas. Plain Java with no Vert.x types: the network, timers and threads
 * come from a {@link io.hyperkv.cluster.bus.Transport} ({@code server.BusTransport} over Vert.x; tests and the
 * coordinator's unit tests can supply their own).
 *
 * <h2>Classes</h2>
 * <ul>
 *   <li>{@link io.hyperkv.cluster.bus.BusNode}: one node's end of the bus (links, detector, gossip, bootstrap, deltas);
 *       {@link io.hyperkv.cluster.bus.PeerStates} and {@link io.hyperkv.cluster.bus.PeerView} are its read side.</li>
 *   <li>{@link io.hyperkv.cluster.bus.BusRpc}: request/response calls with ids and timeouts over the links.</li>
 *   <li>{@link io.hyperkv.cluster.bus.Handshake}: the mutual HMAC-SHA256 challenge-response of every connection.</li>
 *   <li>{@link io.hyperkv.cluster.bus.FailureDetector}: UP / SUSPECT (2 s) / DOWN (10 s) from heartbeat answers.</li>
 *   <li>{@link io.hyperkv.cluster.bus.OutboundQueue}: a link's byte-bounded queue and window of unacked frames.</li>
 *   <li>{@link io.hyperkv.cluster.bus.DeltaEnvelope}, {@link io.hyperkv.cluster.bus.DeltaHandler},
 *       {@link io.hyperkv.cluster.bus.Delivery}: what deltas look like, who applies them, what a send did.</li>
 * </ul>
 *
 * <h2>Messages</h2>
 * Every message is a RESP array of bulk strings, verb first. Until the handshake completes the receiver applies
 * Redis's unauthenticated limits (10 elements, 16 KB bulks), then {@link io.hyperkv.cluster.bus.BusFrames#ESTABLISHED_LIMITS}.
 * <table>
 * <caption>Bus messages</caption>
 * <tr><th>message</th><th>direction</th><th>meaning</th></tr>
 * <tr><td>{@code HKV.HELLO 1 nonce id host:bus-port client-port epoch}</td><td>dialer</td><td>opens the handshake</td></tr>
 * <tr><td>{@code HKV.CHALLENGE nonce id host:bus-port client-port epoch proof}</td><td>listener</td><td>proves the
 *     secret over both nonces and both hellos</td></tr>
 * <tr><td>{@code HKV.AUTH proof}</td><td>dialer</td><td>proves the secret in turn</td></tr>
 * <tr><td>{@code HKV.WELCOME}</td><td>listener</td><td>the connection is authenticated</td></tr>
 * <tr><td>{@code HKV.ERROR text}</td><td>either</td><td>why the connection is being closed</td></tr>
 * <tr><td>{@code HKV.PING epoch} / {@code HKV.PONG epoch}</td><td>dialer / listener</td><td>heartbeat every
 *     500 ms; a lower epoch than ours gets {@code HKV.TOPOLOGY}</td></tr>
 * <tr><td>{@code HKV.TOPOLOGY json}</td><td>either</td><td>gossip of the topology document
 *     ({@link io.hyperkv.cluster.TopologyCodec})</td></tr>
 * <tr><td>{@code HKV.DELTAS seq [db slot key stamp16 origin delta]...}</td><td>dialer</td><td>a batch; stamp is
 *     16 bytes (HLC time, node), origin {@code live|hint|repair}
 *     ({@link io.hyperkv.cluster.bus.EnvelopeCodec})</td></tr>
 * <tr><td>{@code HKV.ACK seq} / {@code HKV.NACK seq reason text}</td><td>listener</td><td>cumulative ack after the
 *     handler's future completed / refusal of that batch ({@code SKEW}, {@code NOTOWNER}, {@code INVALID},
 *     {@code MALFORMED} (a delta the store cannot decode, see {@code server.DeltaApplier}), {@code ERROR})</td></tr>
 * <tr><td>{@code HKV.RPC id verb arg...} / {@code HKV.RPCR id OK|ERR result...}</td><td>either / answerer</td><td>a
 *     {@link io.hyperkv.cluster.bus.BusRpc} call and its answer, on the connection the call came on</td></tr>
 * <tr><td>{@code HKV.PUBLISH channel message} / {@code HKV.SPUBLISH channel message}</td><td>dialer</td><td>a
 *     PUBLISH (to every member) or SPUBLISH (to the slot's other owners) for the receiver's local subscribers; never
 *     sent on ({@code server.ClusterPubSub})</td></tr>
 * <tr><td>other verbs</td><td>either</td><td>to the {@link io.hyperkv.cluster.bus.BusNode.FrameHandler} registered for them; ignored otherwise</td></tr>
 * </table>
 */
package io.hyperkv.cluster.bus;
