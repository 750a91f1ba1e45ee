package dev.junction.support;

/** Plaintext keys of the test partners in src/test/resources/{it,delivery,reliability}/connectors (the descriptors hold only their hashes). */
public final class Keys {
    public static final String ACME = "acme-key-1";
    public static final String ACME_SECONDARY = "acme-key-2";
    public static final String ACME_EXPIRED = "acme-old-key";
    public static final String GLOBEX = "globex-key-1";
    public static final String FLOOD = "flood-key-1";
    public static final String CALM = "calm-key-1";
    public static final String OPS = "ops-test-key";
    /** Hashed ops keys that tests configure themselves (junction.ops-keys[n], with {@link #sha256}). */
    public static final String OPS_READ = "ops-read-key-1";
    public static final String OPS_ADMIN = "ops-admin-key-1";
    public static final String SHOP = "shop-key-1";
    public static final String BREAKY = "breaky-key-1";
    public static final String PATIENT = "slow-key-1";
    public static final String FAST = "fast-key-1";
    public static final String LEDGER = "ledger-key-1";
    public static final String STEADY = "steady-key-1";
    public static final String FLAKY = "flaky-key-1";
    public static final String PARKY = "parky-key-1";
    public static final String HALFY = "halfy-key-1";
    /** ERP test vendors and a plain partner, in src/test/resources/erp/connectors. */
    public static final String FRESH_FOODS_AGENT = "ff-agent-token-1";
    public static final String FRESH_FOODS_AGENT_EXPIRED = "ff-agent-old-token";
    public static final String FRESH_FOODS_WEBHOOKS = "ff-webhook-key-1";
    public static final String BREWERY_AGENT = "brewery-agent-token-1";
    public static final String MARKET = "market-key-1";

    /** The hex SHA-256 a connector or {@code junction.ops-keys[n].sha256} stores for a key. */
    public static String sha256(String key) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Keys() {}
}
