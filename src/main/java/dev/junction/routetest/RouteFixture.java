package dev.junction.routetest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One case of a route's tests, {@code routes/tests/<route id>/<case>/}: the message the route receives and the requests
 * its targets must receive, in order (partner-onboarding/route-tests.md).
 *
 * @param headers the message's headers beyond the defaults a delivery sets (headers.json)
 * @param responses what the stubbed targets answer (responses.json); any other call is answered 200 {"received":true}
 */
public record RouteFixture(String routeId, String name, Path dir, JsonNode input, Map<String, String> headers,
                           List<Response> responses, List<Request> expected) {

    /** {@code <route id>/<case>}, as tests and failures name the case. */
    public String id() {
        return routeId + "/" + name;
    }

    /**
     * A request a target must receive. {@code target} is {@code <partner>/<target>} as in a route's
     * {@code target:} URI; {@code headers} is a subset (names case-insensitive); a null {@code body} is not checked.
     * Strings may hold placeholders: {@code ${any}}, {@code ${uuid}}, {@code ${receiptId}}, {@code ${correlationId}}.
     */
    public record Request(String target, String method, String path, Map<String, String> headers, JsonNode body) {}

    /** A stubbed target's answer to every {@code method} call of {@code path}. */
    public record Response(String target, String method, String path, int status, JsonNode body) {}
}
