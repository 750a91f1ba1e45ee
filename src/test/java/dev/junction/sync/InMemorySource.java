package dev.junction.sync;

import dev.junction.partner.Partner;
import dev.junction.partner.SyncJob;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A partner API the tests script, standing in for HTTP so that the runner's rules can be tried page by page: the
 * records of each path (a table ordered by (updatedAt, id)), a failure on a chosen request, a hook run before a
 * request. It answers like a well-behaved paged API: records strictly after (cursor, id), or at or after the cursor
 * when the id is empty (a lookback). It reads only jobs whose target is {@code in-memory}; the real sources have
 * tests of their own.
 */
class InMemorySource implements PageSource {

    record Row(String id, Instant updatedAt, String name) {
        Checkpoint checkpoint() {
            return new Checkpoint(updatedAt.toString(), id);
        }
    }

    private static final Comparator<Row> ORDER = Comparator.comparing(Row::updatedAt).thenComparing(Row::id);

    final Map<String, List<Row>> tables = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile int failOnRequest = -1;
    volatile Consumer<Integer> beforeRequest = n -> {};

    void reset() {
        tables.clear();
        requests.set(0);
        failOnRequest = -1;
        beforeRequest = n -> {};
    }

    /** Adds (or replaces, by id: a new version) rows of a path. */
    synchronized void put(String path, Row... rows) {
        List<Row> table = tables.computeIfAbsent(path, p -> new ArrayList<>());
        for (Row r : rows) {
            table.removeIf(old -> old.id().equals(r.id()));
            table.add(r);
        }
        table.sort(ORDER);
    }

    @Override
    public boolean reads(SyncJob.Source source) {
        return source instanceof SyncJob.HttpSource h && h.target().equals("in-memory");
    }

    @Override
    public Page fetch(Partner partner, SyncJob job, Checkpoint from) {
        int n = requests.incrementAndGet();
        beforeRequest.accept(n);
        if (n == failOnRequest) {
            throw new IllegalStateException("partner API answered 500 on request " + n);
        }
        SyncJob.HttpSource http = (SyncJob.HttpSource) job.source();
        List<Row> table;
        synchronized (this) {
            table = List.copyOf(tables.getOrDefault(http.path(), List.of()));
        }
        List<PulledRecord> page = new ArrayList<>();
        for (Row r : table) {
            if (after(r, from) && page.size() < http.pageSize()) {
                String json = "{\"id\":\"" + r.id() + "\",\"updatedAt\":\"" + r.updatedAt() + "\",\"name\":\"" + r.name() + "\"}";
                page.add(new PulledRecord(json.getBytes(StandardCharsets.UTF_8), r.updatedAt().toString(), r.id()));
            }
        }
        return new Page(page, page.size() < http.pageSize());
    }

    private static boolean after(Row r, Checkpoint from) {
        if (from.isStart()) {
            return true;
        }
        Instant cursor = Instant.parse(from.cursor());
        int c = r.updatedAt().compareTo(cursor);
        return from.id() == null ? c >= 0 : c > 0 || (c == 0 && r.id().compareTo(from.id()) > 0);
    }
}
