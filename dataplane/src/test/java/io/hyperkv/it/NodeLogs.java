package io.hyperkv.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Shows what the nodes of a failed integration test logged: their logs live in temporary directories that
 * {@link ServerProcess#close()} deletes, usually before JUnit reports the failure. Every {@link ServerProcess} is
 * tracked here while it exists, and keeps the tail of its log here when it closes; when a test fails, this extension
 * prints to stderr the last {@value #TAIL_LINES} lines of each node's log (those closed during the test, and those
 * still open), and forgets them before the next test. Registered for every *IT by JUnit's extension autodetection
 * (failsafe's configuration and {@code META-INF/services}); unit tests do not load it.
 */
public final class NodeLogs implements BeforeEachCallback, TestWatcher {

    static final int TAIL_LINES = 60;

    private static final Map<ServerProcess, String> OPEN = new LinkedHashMap<>();
    private static final List<String> CLOSED = new ArrayList<>();

    static synchronized void opened(ServerProcess node) {
        OPEN.put(node, "");
    }

    /** {@code node} closes: its log is about to be deleted, its tail is kept until the test's verdict. */
    static synchronized void closing(ServerProcess node, String describe) {
        if (OPEN.remove(node) != null) {
            CLOSED.add(describe + "\n" + tail(node.log()));
        }
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        return (lines.size() > last.size() ? "  ... (" + (lines.size() - last.size()) + " lines before)\n" : "")
                + String.join("\n", last);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        synchronized (NodeLogs.class) {
            CLOSED.clear();
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        StringBuilder out = new StringBuilder();
        synchronized (NodeLogs.class) {
            for (String closed : CLOSED) {
                out.append("\n").append(closed).append("\n");
            }
            for (ServerProcess open : OPEN.keySet()) {
                out.append("\n").append(open.describe()).append(" (still running)\n").append(tail(open.log()))
                        .append("\n");
            }
            CLOSED.clear();
        }
        if (out.length() > 0) {
            System.err.println("===== " + context.getDisplayName() + " failed; the tail of each node's log:" + out
                    + "===== end of the node logs of " + context.getDisplayName());
        }
    }
}
