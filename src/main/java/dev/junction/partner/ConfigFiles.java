package dev.junction.partner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The connector and route files as they are on disk now: each file's content (read once, so what is hashed is what a
 * route reload loads) and SHA-256, by the path errors name it with.
 */
public record ConfigFiles(Map<String, Path> paths, Map<String, byte[]> contents, Map<String, String> hashes, String contentHash) {

    public static ConfigFiles read(Path connectorsDir, Path routesDir) {
        Map<String, Path> paths = new LinkedHashMap<>();
        Map<String, byte[]> contents = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        MessageDigest all = sha256();
        for (Path dir : new Path[] {connectorsDir, routesDir}) {
            if (!Files.isDirectory(dir)) {
                continue; // the loader names the missing folder
            }
            for (Path file : RouteCatalog.yamlFiles(dir)) {
                String name = ConnectorLoader.display(file);
                byte[] content;
                try {
                    content = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw InvalidConnectorException.at(name, "", "cannot be read: " + e.getMessage());
                }
                String hash = HexFormat.of().formatHex(sha256().digest(content));
                paths.put(name, file);
                contents.put(name, content);
                hashes.put(name, hash);
                all.update((name + "\0" + hash + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return new ConfigFiles(Map.copyOf(paths), Map.copyOf(contents), java.util.Collections.unmodifiableMap(hashes),
                HexFormat.of().formatHex(all.digest()));
    }

    /** The route files among them (those under the routes folder). */
    public Map<String, Path> routeFiles(Path routesDir) {
        Map<String, Path> routes = new LinkedHashMap<>();
        paths.forEach((name, path) -> {
            if (path.getParent() != null && path.getParent().equals(routesDir)) {
                routes.put(name, path);
            }
        });
        return routes;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
