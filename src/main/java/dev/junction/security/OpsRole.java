package dev.junction.security;

import java.util.Locale;

/** What an ops key may do: {@code read} looks (every GET), {@code admin} also acts (replay, discard, every other method). */
public enum OpsRole {
    READ, ADMIN;

    /** The configured spelling ({@code junction.ops-keys[n].role}, validated as read|admin by JunctionProperties). */
    static OpsRole of(String configured) {
        return valueOf(configured.toUpperCase(Locale.ROOT));
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
