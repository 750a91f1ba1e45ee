package dev.junction.partner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route that needs what the hub does not ship, or that carries error handling or inline code, is refused before Camel
 * loads it, naming the file, the step's JSON pointer and what to add; validate gets every problem, startup the first.
 */
class RouteCheckTest {

    @TempDir
    Path routes;

    @Test
    void theShippedRoutesUseOnlyWhatTheHubShips() {
        assertThat(RouteCheck.problems(Path.of("routes"))).isEmpty();
    }

    @Test
    void jsonIdiomsTheHubShipsPass() throws IOException {
        route("ok.yaml", """
                - route:
                    id: ok
                    from:
                      uri: direct:ok
                      steps:
                        - unmarshal: { json: {} }
                        - choice:
                            when:
                              - jsonpath: "$[?(@.a > 1)]"
                                steps:
                                  - transform: { jq: "{b: .a}" }
                        - split:
                            jsonpath: "$.lines"
                            steps:
                              - marshal: { json: { library: Jackson } }
                              - setBody: { simple: "${body}" }
                              - to: target:demo/sandbox?path=/x
                        - enrich:
                            constant: target:demo/sandbox?path=/y
                            variableReceive: v
                        - to: { uri: "agent:fresh-foods/orders" }
                        - toD: "target:demo/sandbox?path=/${header.x}"
                """);

        assertThat(RouteCheck.problems(routes)).isEmpty();
    }

    @Test
    void aLanguageTheHubDoesNotShipIsNamedWithItsStepAndArtifact() throws IOException {
        route("xml.yaml", """
                - route:
                    id: xml
                    from:
                      uri: direct:xml
                      steps:
                        - log: "in"
                        - choice:
                            when:
                              - xquery: "/order[@express]"
                                steps:
                                  - to: target:demo/sandbox?path=/x
                """);

        assertThat(RouteCheck.problems(routes)).containsExactly(shown("xml.yaml")
                + ": /0/route/from/steps/1/choice/when/0/xquery: the hub does not ship the 'xquery' language: add org.apache.camel:camel-saxon to pom.xml");
    }

    @Test
    void everyProblemOfEveryFileIsListed() throws IOException {
        route("a.yaml", """
                - route:
                    id: a
                    from:
                      uri: direct:a
                      steps:
                        - marshal: { csv: {} }
                        - unmarshal: { json: { library: Gson } }
                        - to: aws2-s3:bucket
                        - enrich:
                            constant: ftp://host/dir
                """);
        route("b.yaml", """
                - route:
                    id: b
                    from:
                      uri: direct:b
                      steps:
                        - setBody:
                            language: { language: datasonnet, expression: "{}" }
                """);

        assertThat(RouteCheck.problems(routes)).containsExactly(
                shown("a.yaml") + ": /0/route/from/steps/0/marshal/csv: the hub does not ship the 'csv' data format: add org.apache.camel:camel-csv to pom.xml",
                shown("a.yaml") + ": /0/route/from/steps/1/unmarshal/json: the hub does not ship the 'gson' data format: add org.apache.camel:camel-gson to pom.xml",
                shown("a.yaml") + ": /0/route/from/steps/2/to: the hub does not ship the 'aws2-s3' component: add org.apache.camel:camel-aws2-s3"
                        + " (or its camel-aws2-s3-starter) to pom.xml, or call the partner with target:<partner>/<target>",
                shown("a.yaml") + ": /0/route/from/steps/3/enrich/constant: the hub does not ship the 'ftp' component: add org.apache.camel:camel-ftp"
                        + " (or its camel-ftp-starter) to pom.xml, or call the partner with target:<partner>/<target>",
                shown("b.yaml") + ": /0/route/from/steps/0/setBody/language/language: the hub does not ship the 'datasonnet' language: add"
                        + " org.apache.camel:camel-datasonnet to pom.xml");
    }

    @Test
    void errorHandlingAndInlineCodeAreRefused() throws IOException {
        route("c.yaml", """
                - onException:
                    exception: [java.lang.Exception]
                    handled: { constant: true }
                - route:
                    id: c
                    errorHandler:
                      deadLetterChannel: { deadLetterUri: "log:dead" }
                    from:
                      uri: direct:c
                      steps:
                        - setBody: { groovy: "body.reverse()" }
                        - script: { js: "1+1" }
                        - filter:
                            language: { language: js, expression: "true" }
                """);

        List<String> problems = RouteCheck.problems(routes);
        assertThat(problems).hasSize(5);
        assertThat(problems.get(0)).startsWith(shown("c.yaml") + ": /0/onException: onException is not allowed in route files: routes are the happy path");
        assertThat(problems.get(1)).startsWith(shown("c.yaml") + ": /1/route/errorHandler: errorHandler is not allowed in route files");
        assertThat(problems.get(2)).startsWith(shown("c.yaml") + ": /1/route/from/steps/0/setBody/groovy: inline groovy scripts are not allowed");
        assertThat(problems.get(3)).startsWith(shown("c.yaml") + ": /1/route/from/steps/1/script: inline scripts are not allowed");
        assertThat(problems.get(4)).startsWith(shown("c.yaml") + ": /1/route/from/steps/2/filter/language/language: inline js scripts are not allowed");
    }

    @Test
    void startupStopsAtTheFirstProblemWithTheSameLine() throws IOException {
        route("d.yaml", """
                - route:
                    id: d
                    from:
                      uri: direct:d
                      steps:
                        - setBody: { jsonata: "$.a" }
                """);
        Path connectors = Files.createDirectories(routes.resolveSibling(routes.getFileName() + "-connectors"));

        assertThatThrownBy(() -> new ConnectorLoader(Path.of("").toAbsolutePath()).load(connectors, routes))
                .isInstanceOf(InvalidConnectorException.class)
                .hasMessage(shown("d.yaml") + ": /0/route/from/steps/0/setBody/jsonata: the hub does not ship the 'jsonata' language:"
                        + " add org.apache.camel:camel-jsonata to pom.xml");
    }

    private void route(String name, String yaml) throws IOException {
        Files.writeString(routes.resolve(name), yaml);
    }

    private String shown(String name) {
        return ConnectorLoader.display(routes.resolve(name));
    }
}
