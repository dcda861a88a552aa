/**
 * The command table (name, arity, flags, key positions, ACL categories) and the handlers, one
 * class per command family. Pure Java: handlers see the store through {@code store} types and the
 * connection through {@link io.hyperkv.command.ClientSession}.
 */
package io.hyperkv.command;
