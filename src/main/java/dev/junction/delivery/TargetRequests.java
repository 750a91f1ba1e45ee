package dev.junction.delivery;

import dev.junction.partner.Partner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.springframework.core.env.Environment;

/**
 * What every call to a partner target starts with, whoever makes it (a route's {@code target:} endpoint, a sync job's
 * source): the target's url plus a path, its timeout, and its own headers with their {@code ${ENV}} placeholders
 * resolved at the call, so that secrets are never held in the descriptor model.
 */
final class TargetRequests {

    private TargetRequests() {}

    /** The client for a target: HTTP/1.1 and no redirects (a redirect is the target's answer, not ours to follow). */
    static HttpClient client(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * @param pathAndQuery appended to the target's url (its trailing slashes dropped)
     * @param reserved lower-case names of headers the caller sets itself; the target's own are left out
     * @throws IllegalArgumentException when a placeholder does not resolve or the url is not a URI; the message never
     *         holds a resolved value, which may be a secret
     */
    static HttpRequest.Builder builder(Environment environment, Partner.Target target, String pathAndQuery, Set<String> reserved) {
        String base = environment.resolveRequiredPlaceholders(target.url());
        URI uri;
        try {
            uri = URI.create(base.replaceAll("/+$", "") + pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the url " + target.url() + " with the path " + pathAndQuery + " is not a valid URI");
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(target.timeout())
                .header("User-Agent", "Junction");
        target.headers().forEach((k, v) -> {
            if (!reserved.contains(k.toLowerCase(Locale.ROOT))) {
                b.header(k, environment.resolveRequiredPlaceholders(v));
            }
        });
        return b;
    }
}
