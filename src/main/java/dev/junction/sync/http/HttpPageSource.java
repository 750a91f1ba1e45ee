package dev.junction.sync.http;

import dev.junction.delivery.TargetCalls;
import dev.junction.partner.Partner;
import dev.junction.partner.SyncJob;
import dev.junction.sync.Checkpoint;
import dev.junction.sync.Page;
import dev.junction.sync.PageSource;
import dev.junction.sync.PulledRecord;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * A partner's paged REST API (SYNC-JOBS.md, {@code source.http}): one GET per page through the partner's target, so
 * with its url, headers, timeout and the breaker its deliveries share. A non-2xx answer, a timeout, an open breaker or
 * a page that cannot be read is thrown, never returned as records.
 */
@Component
class HttpPageSource implements PageSource {

    private final TargetCalls targets;

    HttpPageSource(TargetCalls targets) {
        this.targets = targets;
    }

    @Override
    public boolean reads(SyncJob.Source source) {
        return source instanceof SyncJob.HttpSource;
    }

    @Override
    public Page fetch(Partner partner, SyncJob job, Checkpoint from) throws IOException, InterruptedException {
        SyncJob.HttpSource source = (SyncJob.HttpSource) job.source();
        String name = partner.id() + "/" + job.id();
        Partner.Target target = partner.targets().get(source.target());
        if (target == null) {
            throw new IllegalStateException(name + ": partner " + partner.id() + " declares no target '" + source.target() + "'");
        }
        String pathAndQuery = PageQuery.of(source, from);
        HttpResponse<byte[]> response;
        try {
            response = targets.get(partner.id(), target, pathAndQuery, "application/json");
        } catch (HttpTimeoutException e) {
            HttpTimeoutException named = new HttpTimeoutException(name + ": target " + source.target() + " did not answer within "
                    + target.timeout() + " (GET " + source.path() + ")");
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            // The client's own messages name neither the job nor the target (a refused connection has none at all).
            throw new IOException(name + ": GET " + source.path() + " on target " + source.target() + " failed: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
        List<PulledRecord> records = new PageReader(name, source).read(response.body(), from);
        return new Page(records, records.size() < source.pageSize());
    }
}
