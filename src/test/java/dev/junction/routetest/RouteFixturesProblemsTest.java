package dev.junction.routetest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** validate's view of the route tests: every malformed case named by file, field and problem; the shipped ones clean. */
class RouteFixturesProblemsTest {

    @TempDir
    Path routes;

    @BeforeEach
    void aRoute() throws IOException {
        Files.writeString(routes.resolve("acme-order.yaml"), """
                - route:
                    id: acme-order
                    from:
                      uri: direct:acme-order
                      steps:
                        - to: target:acme/erp?path=/orders
                """);
    }

    @Test
    void theShippedCasesAreWellFormed() {
        assertThat(RouteFixtures.problems(Path.of("routes"))).isEmpty();
        assertThat(RouteFixtures.load(Path.of("routes"))).extracting(RouteFixture::id).contains("demo-order-placed/cancelled-line-dropped");
    }

    @Test
    void noTestsFolderIsNoCases() {
        assertThat(RouteFixtures.problems(routes)).isEmpty();
        assertThat(RouteFixtures.load(routes)).isEmpty();
    }

    @Test
    void aWellFormedCaseLoads() throws IOException {
        write("acme-order/ok/input.json", "{\"id\":1}");
        write("acme-order/ok/headers.json", "{\"JunctionEvent\":\"order\"}");
        write("acme-order/ok/expected.json", "[{\"target\":\"acme/erp\",\"path\":\"/orders\",\"headers\":{\"Idempotency-Key\":\"${receiptId}\"},\"body\":{\"id\":1}}]");

        assertThat(RouteFixtures.problems(routes)).isEmpty();
        RouteFixture fixture = RouteFixtures.load(routes).get(0);
        assertThat(fixture.id()).isEqualTo("acme-order/ok");
        assertThat(fixture.headers()).containsEntry("JunctionEvent", "order");
        assertThat(fixture.expected()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.target()).isEqualTo("acme/erp");
        });
    }

    @Test
    void everyMalformedCaseIsNamedByFileAndField() throws IOException {
        write("no-such-route/x/input.json", "{}");
        write("acme-order/missing-expected/input.json", "{}");
        write("acme-order/bad-json/input.json", "{oops");
        write("acme-order/bad-json/expected.json", "[]");
        write("acme-order/bad-fields/input.json", "{}");
        write("acme-order/bad-fields/headers.json", "{\"X-Count\": 3}");
        write("acme-order/bad-fields/expected.json", "[{\"target\":\"erp\",\"path\":\"orders\",\"method\":\"FETCH\",\"bdy\":{}}]");
        write("acme-order/bad-fields/expect.json", "[]");
        write("acme-order/not-a-list/input.json", "{}");
        write("acme-order/not-a-list/expected.json", "{\"target\":\"acme/erp\"}");

        assertThat(RouteFixtures.problems(routes)).containsExactly(
                shown("acme-order/bad-fields/expect.json") + ": unknown file in a route test case; expected"
                        + " [input.json, headers.json, responses.json, expected.json]",
                shown("acme-order/bad-fields/headers.json") + ": /X-Count: a header value is a string",
                shown("acme-order/bad-fields/expected.json") + ": /0/bdy: unknown field; the fields are [target, method, path, headers, body]",
                shown("acme-order/bad-fields/expected.json") + ": /0/target: required: <partner>/<target>, as in the route's target: URI",
                shown("acme-order/bad-fields/expected.json") + ": /0/method: one of [GET, POST, PUT, PATCH, DELETE]",
                shown("acme-order/bad-fields/expected.json") + ": /0/path: required: the path after the target's url, starting with /",
                shown("acme-order/bad-json/input.json") + ": not valid JSON: Unexpected character ('o' (code 111)): was expecting"
                        + " double-quote to start field name",
                shown("acme-order/missing-expected/expected.json") + ": missing; a case needs input.json and expected.json",
                shown("acme-order/not-a-list/expected.json") + ": a list of the requests the targets must receive, in order"
                        + " ([] when the route calls none): [{target, method, path, headers, body}]",
                shown("no-such-route") + ": no route 'no-such-route' in " + RouteFixtures.display(routes) + " (routes: [acme-order])");
        assertThatThrownBy(() -> RouteFixtures.load(routes)).hasMessage(RouteFixtures.problems(routes).get(0));
    }

    private Path write(String relative, String content) throws IOException {
        Path file = routes.resolve(RouteFixtures.FOLDER).resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    private String shown(String relative) {
        return RouteFixtures.display(routes.resolve(RouteFixtures.FOLDER).resolve(relative));
    }
}
