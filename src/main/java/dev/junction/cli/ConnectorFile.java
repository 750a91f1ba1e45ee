package dev.junction.cli;

import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.CollectionNode;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A connector file's text and its {@code apiKeys}, edited in place. The parser only locates the keys (start and end
 * of each node); an edit splices text there, so every other byte of the file (comments, blank lines, flow maps like
 * {@code rateLimit: { capacity: 100 }}, quoting) stays as the integrator wrote it, which a load-and-dump cannot promise.
 * Immutable: each edit returns a new file.
 */
final class ConnectorFile {

    /** A key as the file lists it. */
    record Key(String id, Instant expiresAt) {

        boolean expiredAt(Instant now) {
            return expiresAt != null && !expiresAt.isAfter(now);
        }
    }

    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");
    /** Words YAML 1.1 reads as booleans or null: an id spelled like one is quoted to stay a string. */
    private static final Set<String> YAML_WORDS = Set.of("y", "n", "yes", "no", "on", "off", "true", "false", "null");

    private final String text;
    private final String nl;
    private final MappingNode root;
    private final NodeTuple apiKeys;

    ConnectorFile(String text) {
        this.text = text;
        this.nl = text.contains("\r\n") ? "\r\n" : "\n";
        Node node;
        try {
            node = new Yaml(new LoaderOptions()).compose(new StringReader(text));
        } catch (YAMLException e) {
            throw new CommandFailed("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(node instanceof MappingNode mapping)) {
            throw new CommandFailed("a connector file is a mapping (partner:, apiKeys:, events: ...)");
        }
        this.root = mapping;
        this.apiKeys = tuple(mapping, "apiKeys");
        if (apiKeys != null && !(apiKeys.getValueNode() instanceof SequenceNode)) {
            throw new CommandFailed("/apiKeys: is not a list of keys");
        }
    }

    String text() {
        return text;
    }

    List<Key> keys() {
        List<Key> keys = new ArrayList<>();
        for (Node item : items()) {
            MappingNode key = asKey(item);
            String expires = scalar(key, "expiresAt");
            Instant at;
            try {
                at = expires == null ? null : Instant.parse(expires);
            } catch (RuntimeException e) {
                throw new CommandFailed("/apiKeys: key '" + scalar(key, "id") + "' has expiresAt '" + expires + "', not an instant");
            }
            keys.add(new Key(scalar(key, "id"), at));
        }
        return keys;
    }

    /** The file with one more key, after the last one (or as the first, where the list is empty or missing). */
    ConnectorFile withKey(String id, String sha256, Instant expiresAt) {
        String fields = "id: " + yamlId(id) + ", sha256: " + sha256 + (expiresAt == null ? "" : ", expiresAt: " + expiresAt);
        List<Node> items = items();
        if (apiKeys == null) {
            // Vendors and sync-only partners may have no apiKeys: a new list goes right below the partner's name.
            int after = end(tuple(root, "displayName") != null ? tuple(root, "displayName") : tuple(root, "partner"));
            String indent = " ".repeat(column(start(root)));
            return insertLines(after, indent + "apiKeys:" + nl + block(indent + "  - ", fields));
        }
        SequenceNode list = (SequenceNode) apiKeys.getValueNode();
        if (items.isEmpty()) {
            // apiKeys: [] becomes a block list, the form the shipped files use.
            int open = start(list);
            int colon = text.lastIndexOf(':', open);
            String indent = " ".repeat(column(start(apiKeys.getKeyNode())));
            String emptied = text.substring(0, colon + 1) + text.substring(end(list));
            return new ConnectorFile(withLines(emptied, colon + 1, block(indent + "  - ", fields)));
        }
        Node first = items.get(0);
        Node last = items.get(items.size() - 1);
        if (flow(list)) {
            return splice(end(last), end(last), ", {" + fields + "}");
        }
        String prefix = text.substring(lineStart(start(first)), start(first));
        String entry = flow(asKey(first)) ? prefix + "{" + fields + "}" + nl : block(prefix, fields);
        return insertLines(end(last), entry);
    }

    /** The file with the key's expiresAt set (replaced, or added as the key's last field). */
    ConnectorFile withExpiry(String id, Instant at) {
        MappingNode key = find(id);
        NodeTuple expires = tuple(key, "expiresAt");
        if (expires != null) {
            return splice(start(expires.getValueNode()), end(expires.getValueNode()), at.toString());
        }
        if (flow(key)) {
            int last = end(key.getValue().get(key.getValue().size() - 1));
            return splice(last, last, ", expiresAt: " + at);
        }
        String indent = " ".repeat(column(start(key)));
        return insertLines(end(key), indent + "expiresAt: " + at + nl);
    }

    /** The file without the key; the last key removed leaves {@code apiKeys: []}. */
    ConnectorFile withoutKey(String id) {
        MappingNode key = find(id);
        List<Node> items = items();
        SequenceNode list = (SequenceNode) apiKeys.getValueNode();
        int i = items.indexOf(key);
        if (flow(list)) {
            if (items.size() == 1) {
                return splice(start(list), end(list), "[]");
            }
            return i == 0 ? splice(start(key), start(items.get(1)), "") : splice(end(items.get(i - 1)), end(key), "");
        }
        int from = lineStart(start(key));
        int to = lineEndAfter(end(key));
        if (items.size() > 1) {
            return splice(from, to, "");
        }
        // The list becomes [] right after the colon, so that a comment after "apiKeys:" survives: "apiKeys: [] # ...".
        int colon = text.indexOf(':', end(apiKeys.getKeyNode()));
        return new ConnectorFile(text.substring(0, colon + 1) + " []" + text.substring(colon + 1, from) + text.substring(to));
    }

    private MappingNode find(String id) {
        for (Node item : items()) {
            if (id.equals(scalar(asKey(item), "id"))) {
                return (MappingNode) item;
            }
        }
        throw new CommandFailed("no key '" + id + "'; the keys are: " + keys().stream().map(Key::id).toList());
    }

    private static boolean flow(CollectionNode<?> node) {
        return node.getFlowStyle() == DumperOptions.FlowStyle.FLOW;
    }

    private List<Node> items() {
        return apiKeys == null ? List.of() : ((SequenceNode) apiKeys.getValueNode()).getValue();
    }

    private static MappingNode asKey(Node item) {
        if (!(item instanceof MappingNode key) || scalar(key, "id") == null) {
            throw new CommandFailed("/apiKeys: every key is a mapping with an id and a sha256");
        }
        return key;
    }

    private static NodeTuple tuple(MappingNode map, String name) {
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name)) {
                return t;
            }
        }
        return null;
    }

    private static String scalar(MappingNode map, String name) {
        NodeTuple t = tuple(map, name);
        return t != null && t.getValueNode() instanceof ScalarNode s ? s.getValue() : null;
    }

    private String block(String firstPrefix, String flowFields) {
        String more = " ".repeat(firstPrefix.length());
        StringBuilder lines = new StringBuilder();
        String[] fields = flowFields.split(", ");
        for (int i = 0; i < fields.length; i++) {
            lines.append(i == 0 ? firstPrefix : more).append(fields[i]).append(nl);
        }
        return lines.toString();
    }

    private static String yamlId(String id) {
        boolean plain = PLAIN_ID.matcher(id).matches() && !YAML_WORDS.contains(id.toLowerCase(Locale.ROOT));
        return plain ? id : "\"" + id + "\"";
    }

    /** Lines inserted after the line on which {@code at} falls (and after a comment that ends it). */
    private ConnectorFile insertLines(int at, String lines) {
        return new ConnectorFile(withLines(text, at, lines));
    }

    private String withLines(String in, int at, String lines) {
        int eol = in.indexOf('\n', at);
        return eol < 0 ? in + nl + lines.substring(0, lines.length() - nl.length()) : in.substring(0, eol + 1) + lines + in.substring(eol + 1);
    }

    private ConnectorFile splice(int from, int to, String replacement) {
        return new ConnectorFile(text.substring(0, from) + replacement + text.substring(to));
    }

    private int lineStart(int at) {
        return text.lastIndexOf('\n', at - 1) + 1;
    }

    private int lineEndAfter(int at) {
        int eol = text.indexOf('\n', at);
        return eol < 0 ? text.length() : eol + 1;
    }

    private int column(int at) {
        return at - lineStart(at);
    }

    /** Where a node starts, as an index into the text (marks count code points, Java strings UTF-16 units). */
    private int start(Node node) {
        return index(node.getStartMark());
    }

    /**
     * Where a node's content ends. A block collection's own end mark is where the next token starts (after trailing
     * comments and blank lines), so a collection ends where its last value ends.
     */
    private int end(Node node) {
        if (node instanceof MappingNode map && !flow(map) && !map.getValue().isEmpty()) {
            return end(map.getValue().get(map.getValue().size() - 1).getValueNode());
        }
        if (node instanceof SequenceNode list && !flow(list) && !list.getValue().isEmpty()) {
            return end(list.getValue().get(list.getValue().size() - 1));
        }
        return index(node.getEndMark());
    }

    private int end(NodeTuple tuple) {
        return end(tuple.getValueNode());
    }

    private int index(Mark mark) {
        return text.offsetByCodePoints(0, mark.getIndex());
    }
}
