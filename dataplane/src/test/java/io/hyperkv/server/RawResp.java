package io.hyperkv.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw RESP connection for tests that care about exact bytes ({@code *-1} versus {@code _}) or
 * about a reply not having arrived yet: {@link #read} returns one whole reply frame as its wire
 * text, {@link #poll} returns null if nothing arrives within a short wait.
 */
final class RawResp implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawResp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    /** Sends one command as a RESP array (no reply read). */
    RawResp send(String... args) throws IOException {
        out.write(encode(args));
        out.flush();
        return this;
    }

    /** Sends several commands in one write (a pipeline). */
    RawResp pipeline(String[]... commands) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String[] c : commands) {
            b.writeBytes(encode(c));
        }
        out.write(b.toByteArray());
        out.flush();
        return this;
    }

    String call(String... args) throws IOException {
        send(args);
        return read();
    }

    /** One complete reply frame, as sent (CRLFs included); waits up to 10 s. */
    String read() throws IOException {
        socket.setSoTimeout(10_000);
        StringBuilder sb = new StringBuilder();
        frame(sb);
        return sb.toString();
    }

    /** One reply frame if its first byte arrives within {@code millis}, else null. */
    String poll(int millis) throws IOException {
        socket.setSoTimeout(millis);
        in.mark(1);
        int first;
        try {
            first = in.read();
        } catch (SocketTimeoutException e) {
            return null;
        }
        if (first < 0) {
            throw new IOException("connection closed");
        }
        in.reset();
        return read();
    }

    private void frame(StringBuilder sb) throws IOException {
        String line = line();
        sb.append(line).append("\r\n");
        char type = line.charAt(0);
        switch (type) {
            case '$', '=', '!' -> {
                int len = Integer.parseInt(line.substring(1));
                if (len >= 0) {
                    sb.append(new String(in.readNBytes(len + 2), StandardCharsets.UTF_8));
                }
            }
            case '*', '~', '>', '%' -> {
                int n = Integer.parseInt(line.substring(1));
                for (int i = 0; i < (type == '%' ? 2 * n : n); i++) {
                    frame(sb);
                }
            }
            default -> { }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (prev == '\r' && c == '\n') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
            prev = c;
        }
    }

    private static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
