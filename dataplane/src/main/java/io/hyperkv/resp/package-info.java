/** RESP2/RESP3 wire protocol: an incremental decoder with Redis's hard limits, and the reply encoder. */
package io.hyperkv.resp;
