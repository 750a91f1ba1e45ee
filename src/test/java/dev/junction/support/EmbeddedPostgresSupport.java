package dev.junction.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/** One real PostgreSQL server (zonky embedded binaries, no Docker) shared by the tests of a JVM. */
public final class EmbeddedPostgresSupport {

    private static EmbeddedPostgres shared;

    private EmbeddedPostgresSupport() {}

    public static synchronized EmbeddedPostgres shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    shared.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the server's temp dir goes with it
                }
            }));
        }
        return shared;
    }

    public static EmbeddedPostgres start() {
        try {
            // Zonky turns synchronous commit off for speed; the hub's tests run with production durability instead,
            // so a commit acknowledged here is one a crash would keep.
            return EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").setServerConfig("fsync", "on").start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start embedded PostgreSQL", e);
        }
    }

    /** A fresh database on the shared server, so each Spring context migrates its own schema. */
    public static String newDatabase(String name) {
        EmbeddedPostgres pg = shared();
        try (var c = pg.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return pg.getJdbcUrl("postgres", name);
    }
}
