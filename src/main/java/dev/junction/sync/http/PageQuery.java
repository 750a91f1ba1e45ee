package dev.junction.sync.http;

import dev.junction.partner.SyncJob;
import dev.junction.sync.Checkpoint;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The query of one page request: the job's {@code params} with {@code ${cursor}}, {@code ${id}} and {@code ${pageSize}}
 * replaced (an unknown cursor or id by the empty string), every name and value percent-encoded, since a timestamp
 * holds {@code :} and {@code +} and a {@code +} left raw reads as a space.
 */
final class PageQuery {

    private PageQuery() {}

    /** {@code path} followed by the rendered query, joined with {@code ?} or, when the path has a query already, {@code &}. */
    static String of(SyncJob.HttpSource source, Checkpoint from) {
        String path = source.path() == null ? "" : source.path();
        StringJoiner query = new StringJoiner("&");
        for (Map.Entry<String, String> param : source.params().entrySet()) {
            query.add(encode(param.getKey()) + "=" + encode(render(param.getValue(), source.pageSize(), from)));
        }
        if (query.length() == 0) {
            return path;
        }
        return path + (path.contains("?") ? "&" : "?") + query;
    }

    static String render(String template, int pageSize, Checkpoint from) {
        if (template == null) {
            return "";
        }
        return template.replace("${cursor}", nonNull(from.cursor()))
                .replace("${id}", nonNull(from.id()))
                .replace("${pageSize}", Integer.toString(pageSize));
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    /** RFC 3986 percent-encoding: URLEncoder's form encoding writes a space as {@code +}, which not every API reads back. */
    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
