package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GlobTest {

    private static boolean m(String pattern, String s) {
        return Glob.matches(pattern.getBytes(), s.getBytes(), false);
    }

    @Test
    void starAndQuestionMark() {
        assertThat(m("*", "anything")).isTrue();
        assertThat(m("h?llo", "hello")).isTrue();
        assertThat(m("h?llo", "hllo")).isFalse();
        assertThat(m("h*llo", "heeeello")).isTrue();
        assertThat(m("h*llo", "hllo")).isTrue();
        assertThat(m("*a*b*", "xxaxxbxx")).isTrue();
        assertThat(m("*a*b*", "xxbxxaxx")).isFalse();
        assertThat(m("a*", "")).isFalse();
    }

    @Test
    void classesRangesNegationAndEscapes() {
        assertThat(m("h[ae]llo", "hallo")).isTrue();
        assertThat(m("h[ae]llo", "hillo")).isFalse();
        assertThat(m("h[^e]llo", "hallo")).isTrue();
        assertThat(m("h[^e]llo", "hello")).isFalse();
        assertThat(m("h[a-b]llo", "hbllo")).isTrue();
        assertThat(m("h[b-a]llo", "hallo")).isTrue(); // reversed range, as Redis
        assertThat(m("h\\*llo", "h*llo")).isTrue();
        assertThat(m("h\\*llo", "hello")).isFalse();
        assertThat(m("[\\]]", "]")).isTrue();
        assertThat(m("a[bc", "ab")).isTrue(); // unterminated class is closed at the end
    }

    @Test
    void noCaseForConfigGet() {
        assertThat(Glob.matches("MAX*".getBytes(), "maxclients".getBytes(), true)).isTrue();
        assertThat(Glob.matches("MAX*".getBytes(), "maxclients".getBytes(), false)).isFalse();
    }

    @Test
    void pathologicalPatternTerminatesQuickly() {
        String s = "a".repeat(60);
        assertThat(m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s)).isFalse();
    }

    @Test
    void onlyASingleStarMatchesAll() {
        assertThat(new Glob("*".getBytes(), false).matchesAll()).isTrue();
        assertThat(new Glob("**".getBytes(), false).matchesAll()).isFalse();
    }
}
