package dev.junction.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Key edits on the forms a hand-written connector file takes: every byte outside the edit stays. */
class ConnectorFileTest {

    static final String H1 = "a".repeat(64);
    static final String H2 = "b".repeat(64);
    static final Instant T = Instant.parse("2027-01-01T00:00:00Z");

    @Test
    void addsToAnEmptyFlowListAsABlockListKeepingTheLineComment() {
        String text = "partner: acme\napiKeys: []   # none yet\nevents: {}\n";

        String added = new ConnectorFile(text).withKey("k1", H1, null).text();

        assertThat(added).isEqualTo("partner: acme\napiKeys:   # none yet\n  - id: k1\n    sha256: " + H1 + "\nevents: {}\n");
        assertThat(new ConnectorFile(added).withoutKey("k1").text()).isEqualTo("partner: acme\napiKeys: []   # none yet\nevents: {}\n");
    }

    @Test
    void addsAKeysListBelowTheNameWhenThereIsNone() {
        String text = "partner: fresh\ndisplayName: Fresh # the vendor\nagent: { vendorId: x }\nevents: {}\n";

        assertThat(new ConnectorFile(text).withKey("k1", H1, T).text()).isEqualTo("partner: fresh\ndisplayName: Fresh # the vendor\n"
                + "apiKeys:\n  - id: k1\n    sha256: " + H1 + "\n    expiresAt: 2027-01-01T00:00:00Z\nagent: { vendorId: x }\nevents: {}\n");
    }

    @Test
    void keepsAFlowListFlowAndFlowItemsFlow() {
        String flowList = "partner: acme\napiKeys: [{id: k1, sha256: " + H1 + "}]\nevents: {}\n";
        ConnectorFile two = new ConnectorFile(flowList).withKey("k2", H2, null);
        assertThat(two.text()).isEqualTo("partner: acme\napiKeys: [{id: k1, sha256: " + H1 + "}, {id: k2, sha256: " + H2 + "}]\nevents: {}\n");
        assertThat(two.withExpiry("k1", T).text()).contains("{id: k1, sha256: " + H1 + ", expiresAt: 2027-01-01T00:00:00Z}, {id: k2");
        assertThat(two.withoutKey("k1").text()).isEqualTo("partner: acme\napiKeys: [{id: k2, sha256: " + H2 + "}]\nevents: {}\n");
        assertThat(two.withoutKey("k2").text()).isEqualTo(flowList);

        String flowItems = "apiKeys:\n- {id: k1, sha256: " + H1 + "}\nevents: {}\n";
        assertThat(new ConnectorFile(flowItems).withKey("k2", H2, null).text())
                .isEqualTo("apiKeys:\n- {id: k1, sha256: " + H1 + "}\n- {id: k2, sha256: " + H2 + "}\nevents: {}\n");
    }

    @Test
    void replacesAnExistingExpiryAndAddsAMissingOneAtTheKeysIndent() {
        String text = "apiKeys:\n    -   id: k1   # first\n        sha256: " + H1 + "\n        expiresAt: 2030-01-01T00:00:00Z # far\n"
                + "    -   id: k2\n        sha256: " + H2 + "\n# trailing comment\nevents: {}\n";
        ConnectorFile file = new ConnectorFile(text);

        assertThat(file.withExpiry("k1", T).text()).isEqualTo(text.replace("2030-01-01T00:00:00Z", "2027-01-01T00:00:00Z"));
        assertThat(file.withExpiry("k2", T).text()).isEqualTo(text.replace(H2 + "\n", H2 + "\n        expiresAt: 2027-01-01T00:00:00Z\n"));
        assertThat(file.withKey("k3", H1, null).text()).isEqualTo(text.replace(H2 + "\n", H2 + "\n    -   id: k3\n        sha256: " + H1 + "\n"));
        assertThat(file.withoutKey("k1").text()).isEqualTo("apiKeys:\n    -   id: k2\n        sha256: " + H2 + "\n# trailing comment\nevents: {}\n");
    }

    @Test
    void keepsWindowsLineEndsAFileWithoutAFinalLineEndAndTextBeyondAscii() {
        String crlf = "# Café 🚀 ünïcode\r\napiKeys:\r\n  - id: k1\r\n    sha256: " + H1 + "\r\nevents: {}\r\n";
        assertThat(new ConnectorFile(crlf).withKey("k2", H2, null).text())
                .isEqualTo(crlf.replace(H1 + "\r\n", H1 + "\r\n  - id: k2\r\n    sha256: " + H2 + "\r\n"));

        String noFinalNewline = "events: {}\napiKeys:\n  - id: k1 # 🚀\n    sha256: " + H1;
        assertThat(new ConnectorFile(noFinalNewline).withKey("k2", H2, null).text())
                .isEqualTo(noFinalNewline + "\n  - id: k2\n    sha256: " + H2);
    }

    @Test
    void quotesAnIdYamlWouldReadAsSomethingElse() {
        String text = "apiKeys: []\n";
        assertThat(new ConnectorFile(text).withKey("2026.1", H1, null).text()).contains("- id: \"2026.1\"");
        assertThat(new ConnectorFile(text).withKey("on", H1, null).text()).contains("- id: \"on\"");
        assertThat(new ConnectorFile(text).withKey("key-1", H1, null).text()).contains("- id: key-1\n");
    }

    @Test
    void refusesWhatItCannotEditSafely() {
        assertThat(assertThrows(CommandFailed.class, () -> new ConnectorFile("apiKeys: {id: k1}\n")).getMessage())
                .isEqualTo("/apiKeys: is not a list of keys");
        assertThat(assertThrows(CommandFailed.class, () -> new ConnectorFile("apiKeys: [\n")).getMessage()).startsWith("not valid YAML");
        assertThat(assertThrows(CommandFailed.class, () -> new ConnectorFile("apiKeys: [k1]\n").keys()).getMessage())
                .contains("every key is a mapping");
    }
}
