package dev.junction.erp.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The reconcile protocol's checksum (ERP-AGENTS.md, "Reconciliation"): lowercase hex SHA-256 of the lines
 * {@code <key>:<contentHash>\n} of a range's records sorted by key, keys compared as UTF-8 bytes. An empty range is the
 * SHA-256 of the empty string.
 */
final class Checksums {

    /**
     * UTF-8 byte order is code point order, so comparing code points gives it without encoding. {@code String.compareTo}
     * compares UTF-16 units instead, and differs for a supplementary character (a surrogate, 0xD800-0xDFFF, sorts before
     * U+E000-U+FFFF as UTF-16 but after them as UTF-8); H2 orders VARCHARs the same way, PostgreSQL by its collation.
     */
    static final Comparator<String> BYTE_ORDER = Checksums::compare;

    /** A record as the checksum sees it. */
    record Line(String key, String hash) {}

    private Checksums() {}

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** The checksum of lines already sorted by {@link #BYTE_ORDER}. */
    static String of(List<Line> sorted) {
        MessageDigest digest = sha256();
        for (Line line : sorted) {
            digest.update((line.key() + ":" + line.hash() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
