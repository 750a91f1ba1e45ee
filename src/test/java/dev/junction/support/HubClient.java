package dev.junction.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Real HTTP against a running hub: what a partner or an ops engineer sends and gets back. */
public final class HubClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String base;
    private final int port;

    public HubClient(int port) {
        this.port = port;
        this.base = "http://localhost:" + port;
    }

    /** {@code http://localhost:<port>}: for a browser pointed at the hub. */
    public String base() {
        return base;
    }

    /** A response, read whole. */
    public record Res(int status, java.net.http.HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("Not JSON: " + body, e);
            }
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        public List<String> headers(String name) {
            return headers.allValues(name);
        }

        @Override
        public String toString() {
            return status + " " + headers.map() + " " + body;
        }
    }

    public Res post(String path, String contentType, byte[] body, String... headerPairs) {
        HttpRequest.Builder b = request(path, headerPairs).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    public Res postJson(String path, String json, String... headerPairs) {
        return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8), headerPairs);
    }

    public Res get(String path, String... headerPairs) {
        return send(request(path, headerPairs).GET().build());
    }

    public HttpRequest.Builder request(String path, String... headerPairs) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headerPairs.length; i += 2) {
            b.header(headerPairs[i], headerPairs[i + 1]);
        }
        return b;
    }

    /** Sends bytes as they are (headers an ordinary client refuses to send) and returns the status code. */
    public int raw(byte[] request) {
        return raw(request, false);
    }

    /** Like {@link #raw(byte[])}, then ends its side of the connection: a body shorter than its Content-Length is truncated. */
    public int rawThenEndOfInput(byte[] request) {
        return raw(request, true);
    }

    private int raw(byte[] request, boolean endOfInput) {
        try (java.net.Socket s = new java.net.Socket("localhost", port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            if (endOfInput) {
                s.shutdownOutput();
            }
            String statusLine = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            return Integer.parseInt(statusLine.split(" ")[1]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Res send(HttpRequest request) {
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Res(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
