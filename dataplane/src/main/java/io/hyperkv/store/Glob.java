package io.hyperkv.store;

/**
 * Glob matching with the semantics of Redis's {@code stringmatchlen}: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a-z]} (reversed ranges allowed), backslash escapes, and a trailing
 * unterminated {@code [} treated as closed. Works on bytes, so binary keys match like in Redis.
 */
public final class Glob {

    private final byte[] pattern;
    private final boolean nocase;

    public Glob(byte[] pattern, boolean nocase) {
        this.pattern = pattern;
        this.nocase = nocase;
    }

    public static boolean matches(byte[] pattern, byte[] string, boolean nocase) {
        return match(pattern, 0, string, 0, nocase, 0) == Result.MATCH;
    }

    public boolean matches(byte[] string) {
        return match(pattern, 0, string, 0, nocase, 0) == Result.MATCH;
    }

    /** True for the pattern "*", which Redis treats as "every key" (even the empty one) without matching. */
    public boolean matchesAll() {
        return pattern.length == 1 && pattern[0] == '*';
    }

    private enum Result { MATCH, NO_MATCH, ABORT }

    private static Result match(byte[] p, int pi, byte[] s, int si, boolean nocase, int nesting) {
        // Redis bounds recursion the same way: a pathological pattern fails instead of overflowing the stack
        if (nesting > 1000) {
            return Result.ABORT;
        }
        int plen = p.length;
        int slen = s.length;
        while (pi < plen && si < slen) {
            switch (p[pi]) {
                case '*': {
                    while (pi + 1 < plen && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == plen) {
                        return Result.MATCH;
                    }
                    while (si < slen) {
                        Result r = match(p, pi + 1, s, si, nocase, nesting + 1);
                        if (r == Result.MATCH) {
                            return Result.MATCH;
                        }
                        if (r == Result.ABORT) {
                            return Result.ABORT;
                        }
                        si++;
                    }
                    // the rest of the string cannot match the rest of the pattern from any start: give up early
                    return Result.ABORT;
                }
                case '?':
                    si++;
                    break;
                case '[': {
                    pi++;
                    boolean not = pi < plen && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean matched = false;
                    while (true) {
                        if (pi < plen && p[pi] == '\\' && pi + 1 < plen) {
                            pi++;
                            if (eq(p[pi], s[si], nocase)) {
                                matched = true;
                            }
                        } else if (pi >= plen) {
                            pi--; // unterminated class: as if closed at the end
                            break;
                        } else if (p[pi] == ']') {
                            break;
                        } else if (pi + 2 < plen && p[pi + 1] == '-') {
                            int start = p[pi] & 0xFF;
                            int end = p[pi + 2] & 0xFF;
                            int c = s[si] & 0xFF;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                end = lower(end);
                                c = lower(c);
                            }
                            pi += 2;
                            if (c >= start && c <= end) {
                                matched = true;
                            }
                        } else if (eq(p[pi], s[si], nocase)) {
                            matched = true;
                        }
                        pi++;
                    }
                    if (not) {
                        matched = !matched;
                    }
                    if (!matched) {
                        return Result.NO_MATCH;
                    }
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < plen) {
                        pi++;
                    }
                    // fall through: compare the escaped byte literally
                default:
                    if (!eq(p[pi], s[si], nocase)) {
                        return Result.NO_MATCH;
                    }
                    si++;
                    break;
            }
            pi++;
            if (si == slen) {
                while (pi < plen && p[pi] == '*') {
                    pi++;
                }
                break;
            }
        }
        return pi == plen && si == slen ? Result.MATCH : Result.NO_MATCH;
    }

    private static boolean eq(byte a, byte b, boolean nocase) {
        return nocase ? lower(a & 0xFF) == lower(b & 0xFF) : a == b;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }
}
