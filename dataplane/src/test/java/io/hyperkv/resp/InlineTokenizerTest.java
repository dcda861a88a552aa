package io.hyperkv.resp;

import static io.hyperkv.resp.Commands.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Expected splits were checked against redis-server 7.0 with ECHO over a raw socket. */
class InlineTokenizerTest {

    private static List<String> split(String line) throws RespProtocolException {
        byte[] b = bytes(line);
        return Arrays.stream(InlineTokenizer.split(b, 0, b.length))
                .map(a -> new String(a, StandardCharsets.ISO_8859_1)).toList();
    }

    @Test
    void blanksSeparateArguments() throws Exception {
        assertThat(split("SET  k\tv")).containsExactly("SET", "k", "v");
        assertThat(split("   ")).isEmpty();
        assertThat(split("")).isEmpty();
    }

    @Test
    void verticalTabAndFormFeedSeparateOnlyBetweenArguments() throws Exception {
        assertThat(split("a\u000bb")).containsExactly("a\u000bb");
        assertThat(split("a \u000b b")).containsExactly("a", "b");
    }

    @Test
    void doubleQuotesUnderstandEscapes() throws Exception {
        assertThat(split("\"a\\x41\\n\\r\\t\\b\\a\\\"\\q\"")).containsExactly("aA\n\r\t\b\u0007\"q");
        assertThat(split("\"\\xZZ\"")).containsExactly("xZZ");
        assertThat(split("\"\"")).containsExactly("");
    }

    @Test
    void singleQuotesAreLiteralExceptEscapedQuote() throws Exception {
        assertThat(split("'a\\nb\\'c'")).containsExactly("a\\nb'c");
    }

    @Test
    void quoteMayOpenInsideAnArgument() throws Exception {
        assertThat(split("a\"b c\" d'e f'")).containsExactly("ab c", "de f");
    }

    @Test
    void closingQuoteMustBeFollowedByBlankOrEnd() {
        for (String bad : List.of("\"ab\"c", "'ab'c", "\"abc", "'abc", "\"a\\")) {
            assertThatThrownBy(() -> split(bad)).as(bad).isInstanceOf(RespProtocolException.class)
                    .hasMessage("Protocol error: unbalanced quotes in request");
        }
    }

    @Test
    void nulEndsTheLineAsInRedisCStrings() throws Exception {
        assertThat(split("ECHO a\0b c")).containsExactly("ECHO", "a");
    }
}
