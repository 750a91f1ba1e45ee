package dev.junction.reload;

import dev.junction.ThreadedLifecycle;
import dev.junction.partner.ConfigFiles;
import dev.junction.partner.PartnerRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Reloads when the connector or route files change. It reads the two folders every {@code interval} and hashes the
 * files, rather than using a {@link java.nio.file.WatchService}: change events are lost or never sent on network and
 * container filesystems, and a poll of a few hundred small files costs milliseconds. A change is reloaded once two
 * reads in a row find the same content, so an editor's several writes (or a copy of many files) make one reload; a
 * saved change runs within two intervals. Content a reload refused is not tried again until it changes.
 *
 * <p>Each instance watches its own folders: with several instances, each reloads when its files change (ship the same
 * files to all; {@code GET /ops/config} shows each instance's {@code contentHash}).
 */
@Component
class ConfigWatcher implements ThreadedLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final ConfigReloader reloader;
    private final PartnerRegistry registry;
    private final ReloadSettings settings;
    private volatile ScheduledExecutorService poller;
    private volatile boolean ready;
    /** The content the last read found, and the content last loaded or refused. */
    private String seen;
    private String tried;

    ConfigWatcher(ConfigReloader reloader, PartnerRegistry registry, ReloadSettings settings) {
        this.reloader = reloader;
        this.registry = registry;
        this.settings = settings;
    }

    /** Camel has started the routes: a reload may now replace them. */
    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        ready = true;
    }

    void poll() {
        if (!ready) {
            return;
        }
        try {
            String content = ConfigFiles.read(registry.connectorsDir(), registry.routesDir()).contentHash();
            boolean settled = content.equals(seen);
            seen = content;
            if (settled && !content.equals(tried) && !content.equals(registry.snapshot().contentHash())) {
                tried = content;
                reloader.reload("watcher", false);
            }
        } catch (RuntimeException e) {
            // A folder briefly unreadable (being replaced): the next read tries again.
            log.warn("Watching the configuration folders failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (!settings.watch() || poller != null) {
            return;
        }
        seen = registry.snapshot().contentHash();
        tried = seen;
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-watch");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(50, settings.interval().toMillis());
        poller.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    @Override
    public boolean isRunning() {
        return poller != null;
    }
}
