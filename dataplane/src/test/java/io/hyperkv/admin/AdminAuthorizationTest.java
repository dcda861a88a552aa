package io.hyperkv.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decision alone, for the cases a loopback-only test machine cannot produce over real sockets (a client on a
 * non-loopback address); the HTTP answers are checked by AdminApiTest and AdminApiWithoutTokenTest.
 */
class AdminAuthorizationTest {

    private final AdminAuthorization withToken = new AdminAuthorization(Optional.of("t0ken-for-tests"));
    private final AdminAuthorization withoutToken = new AdminAuthorization(Optional.empty());

    @Test
    void withATokenOnlyTheBearerTokenIsAcceptedFromAnywhere() {
        assertThat(withToken.refusal("Bearer t0ken-for-tests", "10.1.2.3")).isEmpty();
        assertThat(withToken.refusal("bearer   t0ken-for-tests ", "127.0.0.1")).isEmpty();
        assertThat(withToken.refusal(null, "127.0.0.1")).hasValueSatisfying(m -> assertThat(m).contains("missing"));
        assertThat(withToken.refusal("Bearer t0ken-for-test", "127.0.0.1"))
                .hasValueSatisfying(m -> assertThat(m).contains("not this node's hyperkv.admin.token"));
        assertThat(withToken.refusal("Bearer", "127.0.0.1")).isPresent();
        assertThat(withToken.refusal("Basic dDBrZW4=", "127.0.0.1"))
                .hasValueSatisfying(m -> assertThat(m).contains("Bearer scheme"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.3.4.5", "::1", "[::1]", "0:0:0:0:0:0:0:1"})
    void withoutATokenLoopbackClientsAreServed(String host) {
        assertThat(withoutToken.refusal(null, host)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.7", "192.168.1.20", "fd00::5", "0.0.0.0", "localhost", "", "evil.example"})
    void withoutATokenOtherClientsAreRefusedWithTheReason(String host) {
        assertThat(withoutToken.refusal("Bearer anything", host))
                .contains("hyperkv.admin.token is unset: the admin API serves loopback clients only");
    }

    @Test
    void aBlankConfiguredTokenCountsAsUnset() {
        AdminAuthorization blank = new AdminAuthorization(Optional.of("  "));
        assertThat(blank.refusal(null, "127.0.0.1")).isEmpty();
        assertThat(blank.refusal("Bearer  ", "10.0.0.1")).isPresent();
    }
}
