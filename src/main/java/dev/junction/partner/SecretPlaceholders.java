package dev.junction.partner;

import java.util.regex.Pattern;

/**
 * A signing secret in a descriptor must be an environment placeholder: the secret itself never lives in a file, and
 * a refusal never repeats what was written there (it may be the secret).
 */
final class SecretPlaceholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{[A-Za-z0-9_.]+}");

    private SecretPlaceholders() {}

    static String require(String file, String at, String value) {
        if (PLACEHOLDER.matcher(value).matches()) {
            return value;
        }
        String why = value.contains(StandardWebhooks.SECRET_PREFIX)
                ? "holds a literal whsec_ secret; put it in an environment variable and write ${THAT_VARIABLE} here"
                : "must be an environment placeholder like ${ACME_WHSEC}, without a default";
        throw InvalidConnectorException.at(file, at, why + " (secrets never live in files)");
    }
}
