package io.hyperkv.command;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw RESP2/RESP3 client for differential tests: unlike a library it keeps the reply's exact kind
 * (status vs bulk, null bulk vs null array), which is what must match redis-server. Replies are
 * rendered compactly: {@code +OK}, {@code -ERR ...}, {@code :1}, {@code "bulk"}, {@code nil}, {@code [a, b]}; RESP3 aggregates are tagged
 * ({@code [(map), k, v]}, {@code [(set), a]}), {@code null}, {@code ,1.5}, {@code #t}, {@code =txt:...}.
 */
final class RespClient implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RespClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
    }

    String call(List<String> args) throws IOException {
        return render(callTree(args));
    }

    Object callTree(List<String> args) throws IOException {
        send(args);
        return readTree();
    }

    /** Writes one command without waiting for its reply (pub/sub tests read the frames themselves). */
    void send(List<String> args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(b.toByteArray());
        out.flush();
    }

    /** The reply as a tree: String for scalars (rendered), List for arrays. */
    Object readTree() throws IOException {
        int type = in.read();
        String line = line();
        switch (type) {
            case '+': return "+" + line;
            case '-': return "-" + line;
            case ':': return ":" + line;
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return "nil";
                }
                byte[] data = in.readNBytes(len);
                in.readNBytes(2);
                return "\"" + new String(data, StandardCharsets.UTF_8) + "\"";
            }
            case '*':
            case '~':
            case '>': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return "nil";
                }
                List<Object> items = new ArrayList<>();
                if (type != '*') {
                    items.add(type == '~' ? "(set)" : "(push)");
                }
                for (int i = 0; i < n; i++) {
                    items.add(readTree());
                }
                return items;
            }
            case '%': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                items.add("(map)");
                for (int i = 0; i < 2 * n; i++) {
                    items.add(readTree());
                }
                return items;
            }
            case '_': return "null";
            case ',': return "," + line;
            case '#': return "#" + line;
            case '(': return "(" + line;
            case '=': {
                byte[] data = in.readNBytes(Integer.parseInt(line));
                in.readNBytes(2);
                return "=" + new String(data, StandardCharsets.UTF_8);
            }
            default:
                throw new IOException("unexpected reply type " + (char) type + line);
        }
    }

    String read() throws IOException {
        return render(readTree());
    }

    static String render(Object tree) {
        if (tree instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object o : list) {
                parts.add(render(o));
            }
            return "[" + String.join(", ", parts) + "]";
        }
        return (String) tree;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
