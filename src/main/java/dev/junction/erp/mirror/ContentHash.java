package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.erdtman.jcs.NumberToJSON;

/**
 * A record's content hash (ERP-AGENTS.md): lowercase hex SHA-256 of its RFC 8785 (JCS) canonical JSON, without
 * {@code updatedAt}, over the record as received, so that an agent computes the same hash from its own copy.
 *
 * <p>The canonical form is written straight from Jackson's tree: members sorted by their UTF-16 code units, no
 * whitespace, strings with only the escapes RFC 8785 prescribes, and numbers in ECMAScript's shortest round-trip form
 * (taken from the RFC co-author's library, the one part that is easy to get subtly wrong). Serializing the tree and
 * canonicalizing the text instead would parse every record twice.
 */
final class ContentHash {

    /** Left out of the hash: a record re-sent with only a newer timestamp is unchanged. */
    static final String TIMESTAMP = "updatedAt";

    /** MessageDigest.getInstance looks the provider up each time; a batch hashes a thousand records. */
    private static final ThreadLocal<MessageDigest> DIGESTS = ThreadLocal.withInitial(ContentHash::sha256);

    private ContentHash() {}

    static String of(JsonNode record) {
        MessageDigest digest = DIGESTS.get();
        digest.reset();
        return HexFormat.of().formatHex(digest.digest(canonical(record).getBytes(StandardCharsets.UTF_8)));
    }

    /** The record's canonical JSON without its top-level {@code updatedAt}. */
    static String canonical(JsonNode record) {
        StringBuilder out = new StringBuilder(256);
        write(record, out, true);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out, boolean top) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, top);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out, false);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> out.append(number(node));
            case BOOLEAN -> out.append(node.booleanValue());
            default -> out.append("null");
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, boolean top) {
        List<String> names = new ArrayList<>(node.size());
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!(top && TIMESTAMP.equals(name))) {
                names.add(name);
            }
        }
        // String.compareTo orders by UTF-16 code units, which is what RFC 8785 section 3.2.3 sorts by.
        names.sort(null);
        out.append('{');
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            writeString(names.get(i), out);
            out.append(':');
            write(node.get(names.get(i)), out, false);
        }
        out.append('}');
    }

    private static String number(JsonNode node) {
        // RFC 8785 numbers are IEEE 754 doubles; BigDecimal.doubleValue() rounds to the nearest one, as a parser would.
        try {
            return NumberToJSON.serializeNumber(node.doubleValue());
        } catch (IOException e) {
            // Only NaN and infinities are refused, and JSON text cannot hold them; a value beyond a double's range can.
            throw new UncheckedIOException("Number out of the range RFC 8785 can represent: " + node, e);
        }
    }

    /** RFC 8785 section 3.2.2.2: escape only the quote, the backslash and control characters. */
    private static void writeString(String s, StringBuilder out) {
        out.append('"');
        if (plain(s)) {
            out.append(s).append('"');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Most ERP strings need no escape at all: append them whole. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
