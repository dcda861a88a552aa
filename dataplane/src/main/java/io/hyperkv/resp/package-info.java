/**
 * RESP2/RESP3 wire protocol, with no dependency on the server or any framework.
 *
 * <ul>
 *   <li>{@link io.hyperkv.resp.RespDecoder}: the request side. An incremental state machine fed with whatever bytes a
 *       read returned; it hands each complete command ({@code byte[][] argv}) to a
 *       {@link io.hyperkv.resp.CommandSink}, multibulk and inline alike, and enforces {@link io.hyperkv.resp.RespLimits}
 *       (Redis's {@code proto-max-bulk-len}, multibulk count, 64 KB inline lines, and the tighter limits before
 *       {@code AUTH}).</li>
 *   <li>{@link io.hyperkv.resp.RespProtocolException}: a protocol violation, whose message is Redis's exact text after
 *       {@code "ERR "}; the server replies with it and closes the connection.</li>
 *   <li>{@link io.hyperkv.resp.Reply} and {@link io.hyperkv.resp.RespEncoder}: the reply side, one model written as
 *       RESP3 or degraded to RESP2 as Redis does, into any {@link io.hyperkv.resp.RespOutput}.</li>
 *   <li>{@link io.hyperkv.resp.RedisDouble}: doubles as Redis prints them in replies.</li>
 * </ul>
 *
 * The server owns one decoder per connection and calls it from the connection's event loop; nothing here blocks,
 * logs, or allocates in proportion to a length a client merely declared.
 */
package io.hyperkv.resp;
