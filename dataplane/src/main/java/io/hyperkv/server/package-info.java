/** Vert.x wiring: listeners, connection state, pub/sub hub. */
package io.hyperkv.server;
