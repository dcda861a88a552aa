package io.hyperkv.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test-side helpers: a sink that records commands, and the encoding of commands as clients send them. */
final class Commands implements CommandSink {

    final List<List<String>> received = new ArrayList<>();

    @Override
    public void command(byte[][] argv) {
        List<String> args = new ArrayList<>(argv.length);
        for (byte[] arg : argv) {
            args.add(new String(arg, StandardCharsets.ISO_8859_1)); // lossless for any byte
        }
        received.add(args);
    }

    static List<String> cmd(String... args) {
        return Arrays.asList(args);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code *N $len arg ...} as a client library writes it. */
    static byte[] multibulk(List<String> args) {
        StringBuilder sb = new StringBuilder();
        sb.append('*').append(args.size()).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return bytes(sb.toString());
    }

    static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }
}
