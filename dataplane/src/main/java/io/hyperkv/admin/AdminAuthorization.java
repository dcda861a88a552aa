package io.hyperkv.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may call the admin API. With {@code hyperkv.admin.token} set, a call must carry
 * {@code Authorization: Bearer <token>}; the token is compared in constant time. With no token set, only clients on
 * a loopback address are served: the same rule as Redis's protected mode without a password, so a node started by
 * hand can be inspected and drained with curl on its own host while a node reachable from the network is not open to
 * it. The operator always sets a token.
 */
final class AdminAuthorization {

    private final Optional<byte[]> token;

    AdminAuthorization(Optional<String> token) {
        this.token = token.filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Why the call is refused (a message for the 401 body), or empty when it may proceed.
     *
     * @param authorization the {@code Authorization} header, null when absent
     * @param remoteHost the client's address as a literal IP, null when unknown
     */
    Optional<String> refusal(String authorization, String remoteHost) {
        if (token.isEmpty()) {
            return loopback(remoteHost) ? Optional.empty()
                    : Optional.of("hyperkv.admin.token is unset: the admin API serves loopback clients only");
        }
        if (authorization == null || authorization.isBlank()) {
            return Optional.of("missing header \"Authorization: Bearer <hyperkv.admin.token>\"");
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
            return Optional.of("the Authorization header must use the Bearer scheme");
        }
        byte[] given = value.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(token.get(), given) ? Optional.empty()
                : Optional.of("the bearer token is not this node's hyperkv.admin.token");
    }

    private static boolean loopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // Only IP literals: a name is never resolved here (no DNS on the request path, and a name could lie).
        if (!literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '%')) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
