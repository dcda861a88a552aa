package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CommandTable#lookup(byte[])}: any ASCII letter case finds a command, nothing else does. */
class CommandTableTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static CommandTable table(String... names) {
        CommandTable table = new CommandTable();
        for (String name : names) {
            table.register(SpecBuilder.command(name, -1).build());
        }
        return table;
    }

    @Test
    void everyRegisteredNameIsFoundInAnyLetterCase() {
        CommandTable table = new CommandTable();
        for (int i = 0; i < 400; i++) {
            table.register(SpecBuilder.command("cmd" + i + (i % 2 == 0 ? "x" : "-y"), -1).build());
        }
        for (int i = 0; i < 400; i++) {
            String name = "cmd" + i + (i % 2 == 0 ? "x" : "-y");
            assertThat(table.lookup(bytes(name)).name()).isEqualTo(name);
            assertThat(table.lookup(bytes(name.toUpperCase(Locale.ROOT))).name()).isEqualTo(name);
            assertThat(table.lookup(name.toUpperCase(Locale.ROOT)).name()).isEqualTo(name);
        }
        assertThat(table.size()).isEqualTo(400);
    }

    @Test
    void mixedCaseFindsTheCommandAndNearMissesFindNothing() {
        CommandTable table = table("get", "getex", "set", "client");
        assertThat(table.lookup(bytes("gEt")).name()).isEqualTo("get");
        assertThat(table.lookup(bytes("GETEX")).name()).isEqualTo("getex");
        assertThat(table.lookup(bytes("ge"))).isNull();
        assertThat(table.lookup(bytes("gett"))).isNull();
        assertThat(table.lookup(bytes(""))).isNull();
        assertThat(table.lookup(bytes("s\u00c5t"))).as("a non-ASCII byte is no letter").isNull();
        // '@' + 32 is '`': only A..Z fold, so "G@T" is not "g`t" and neither is "get"
        assertThat(table("g`t").lookup(bytes("G@T"))).isNull();
        assertThat(table.lookup(new byte[] {'g', 'e', 't', 0})).isNull();
    }

    @Test
    void theStandardTableResolvesWhatClientsSend(@TempDir Path dir) {
        try (CommandHarness h = new CommandHarness(dir)) {
            resolvesEveryName(h.table);
        }
    }

    private static void resolvesEveryName(CommandTable table) {
        assertThat(table.size()).as("the families registered").isGreaterThan(100);
        for (String name : table.names()) {
            assertThat(table.lookup(bytes(name.toUpperCase(Locale.ROOT)))).as(name).isNotNull()
                    .extracting(CommandSpec::name).isEqualTo(name);
        }
        assertThat(table.lookup(bytes("NOSUCHCOMMAND"))).isNull();
    }

    @Test
    void registeringANameTwiceIsRefused() {
        CommandTable table = table("get");
        assertThatThrownBy(() -> table.register(SpecBuilder.command("GET", 2).build()))
                .isInstanceOf(IllegalStateException.class);
    }
}
