package dev.junction.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security's strict firewall (no dot segments, no {@code //}, no {@code ;}, no encoded {@code /}, {@code .}
 * or {@code %}), plus one rule: no percent-encoded unreserved character (RFC 3986 section 2.3), which a normalised
 * URI never has. So a path that reaches a rule or a controller has one spelling: {@code /%77ebhooks/acme/x} and
 * {@code /webhooks/%61cme/x} are refused (400) rather than matched after decoding.
 *
 * <p>Header names and values, and query parameter names, pass as Tomcat delivers them (it already refuses CR, LF and
 * NUL in headers): the firewall checks those lazily, as a controller reads them, so a refusal there would escape the
 * security chain and become a 500. What the hub does with odd ones is each endpoint's contract (intake answers a 400
 * naming the header, or stores it redacted), and the hot path reads every header, so a regular expression per value
 * would be a cost with no protection added.
 */
final class CanonicalPathFirewall extends StrictHttpFirewall {

    CanonicalPathFirewall() {
        setAllowedHeaderNames(name -> true);
        setAllowedHeaderValues(value -> true);
        setAllowedParameterNames(name -> true);
    }

    @Override
    public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
        String uri = request.getRequestURI();
        for (int i = uri.indexOf('%'); i >= 0 && i + 2 < uri.length(); i = uri.indexOf('%', i + 1)) {
            int high = Character.digit(uri.charAt(i + 1), 16);
            int low = Character.digit(uri.charAt(i + 2), 16);
            if (high >= 0 && low >= 0 && unreserved((char) (high * 16 + low))) {
                throw new RequestRejectedException("The request was rejected because the URL percent-encodes the unreserved character '"
                        + (char) (high * 16 + low) + "'");
            }
        }
        return super.getFirewalledRequest(request);
    }

    private static boolean unreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
