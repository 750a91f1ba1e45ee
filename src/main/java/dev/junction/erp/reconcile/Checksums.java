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
        return new Lines(sorted).checksum(0, sorted.size());
    }

    /**
     * A kind's sorted lines, each encoded once. A run checksums a record once per level of the split it lies under
     * (about six times for a record near a drift in 100,000): building the line's string and its UTF-8 bytes every time
     * cost more than the digest itself. SHA-256 has no way to combine the digests of two halves, so the bytes are what
     * can be kept.
     */
    static final class Lines {
        private final byte[][] bytes;

        Lines(List<Line> sorted) {
            bytes = new byte[sorted.size()][];
            for (int i = 0; i < bytes.length; i++) {
                Line line = sorted.get(i);
                bytes[i] = (line.key() + ":" + line.hash() + "\n").getBytes(StandardCharsets.UTF_8);
            }
        }

        /** The checksum of lines {@code [lo, hi)}. */
        String checksum(int lo, int hi) {
            MessageDigest digest = sha256();
            for (int i = lo; i < hi; i++) {
                digest.update(bytes[i]);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
