package dev.junction.kafka;

import dev.junction.partner.ConfigCheck;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import dev.junction.partner.SyncJob;
import dev.junction.sync.ContinuousSources;
import dev.junction.sync.SyncGate;
import dev.junction.sync.SyncJournal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The Kafka sources of sync jobs ({@code source: kafka: {topic, groupId}}): one consumer per job, in the job's consumer
 * group, that journals each poll's records through {@link SyncJournal} and commits the group's offsets only after the
 * journal transaction committed. A record is keyed {@code <partition>@<offset>}, so the records redelivered after a
 * crash between the two commits are dropped as duplicates: each record is journaled exactly once.
 *
 * <p>With no Kafka job nothing starts, and the hub needs no broker; a Kafka job without
 * {@code junction.kafka.bootstrap-servers} fails startup naming the setting.
 */
@Component
public class KafkaSyncConsumers implements SmartLifecycle, ContinuousSources, ConfigCheck {

    /** What the ops API shows of one Kafka job. */
    public record Status(String partner, String job, String topic, String groupId, String state, long records,
                         long journaled, long duplicates, long deadLettered, String lastError, java.time.Instant lastRecordAt,
                         boolean backpressure) {}

    private final PartnerRegistry partners;
    private final SyncJournal journal;
    private final PoisonRecords poison;
    private final OffsetCommits commits;
    private final KafkaSettings settings;
    private final Clock clock;
    private final SyncGate gate;
    private final Map<String, KafkaJobConsumer> consumers = new ConcurrentHashMap<>();
    /** The job definition each running consumer was started with, to tell a changed job on reload. */
    private final Map<String, SyncJob> definitions = new ConcurrentHashMap<>();
    private volatile boolean running;

    KafkaSyncConsumers(PartnerRegistry partners, SyncJournal journal, PoisonRecords poison, KafkaSettings settings, Clock clock,
                       ObjectProvider<OffsetCommits> commits, SyncGate gate) {
        this.gate = gate;
        this.partners = partners;
        this.journal = journal;
        this.poison = poison;
        this.commits = commits.getIfAvailable(() -> OffsetCommits.SYNC);
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        List<KafkaJobConsumer> jobs = new ArrayList<>();
        for (Partner p : partners.all()) {
            for (SyncJob job : p.syncJobs().values()) {
                if (job.source() instanceof SyncJob.KafkaSource source) {
                    // checked for every job before any consumer starts, so a refused start leaves no thread behind
                    if (!settings.configured()) {
                        throw new IllegalStateException("Sync job " + p.id() + "/" + job.id() + " consumes Kafka topic " + source.topic()
                                + " and needs junction.kafka.bootstrap-servers (env JUNCTION_KAFKA_BOOTSTRAP_SERVERS)");
                    }
                    jobs.add(new KafkaJobConsumer(p, job, source, settings, journal, poison, commits, clock, gate));
                }
            }
        }
        for (KafkaJobConsumer c : jobs) {
            startConsumer(c);
        }
        running = true;
    }

    private void startConsumer(KafkaJobConsumer c) {
        consumers.put(key(c.partner(), c.job()), c);
        definitions.put(key(c.partner(), c.job()), c.definition());
        c.start();
    }

    /** A reload that adds a Kafka job needs the broker setting, as startup does. */
    @Override
    public void check(java.util.Collection<Partner> candidate) {
        for (Partner p : candidate) {
            for (SyncJob job : p.syncJobs().values()) {
                if (job.source() instanceof SyncJob.KafkaSource source && !settings.configured()) {
                    throw new dev.junction.partner.InvalidConnectorException("connector " + p.id() + ": /syncJobs/" + job.id()
                            + "/source/kafka: consumes topic " + source.topic()
                            + " and needs junction.kafka.bootstrap-servers (env JUNCTION_KAFKA_BOOTSTRAP_SERVERS)");
                }
            }
        }
    }

    /**
     * Stops the consumers of removed or changed Kafka jobs (each commits what it journaled and leaves its group, so the
     * group's offsets stay) and starts those of added or changed ones, which resume from the group's committed offsets.
     * An unchanged job's consumer runs on undisturbed.
     */
    @EventListener
    public synchronized void onReload(PartnersReloaded reloaded) {
        if (!running) {
            return;
        }
        Map<String, SyncJob> wanted = new java.util.LinkedHashMap<>();
        Map<String, Partner> owners = new java.util.HashMap<>();
        for (Partner p : reloaded.current().all()) {
            for (SyncJob job : p.syncJobs().values()) {
                if (job.source() instanceof SyncJob.KafkaSource) {
                    wanted.put(key(p.id(), job.id()), job);
                    owners.put(key(p.id(), job.id()), p);
                }
            }
        }
        for (String key : List.copyOf(consumers.keySet())) {
            if (!java.util.Objects.equals(definitions.get(key), wanted.get(key))) {
                consumers.remove(key).stop();
                definitions.remove(key);
            }
        }
        wanted.forEach((key, job) -> {
            if (!consumers.containsKey(key)) {
                startConsumer(new KafkaJobConsumer(owners.get(key), job, (SyncJob.KafkaSource) job.source(), settings, journal, poison,
                        commits, clock, gate));
            }
        });
    }

    @Override
    public synchronized void stop() {
        consumers.values().forEach(KafkaJobConsumer::stop);
        consumers.clear();
        definitions.clear();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    public List<Status> statuses() {
        List<Status> all = new ArrayList<>();
        consumers.values().forEach(c -> all.add(c.status()));
        return all;
    }

    @Override
    public Optional<ContinuousSources.Status> continuousStatus(String partner, String job) {
        return find(partner, job).map(c -> {
            Status s = c.status();
            return new ContinuousSources.Status(s.state(), c.startedAt(), s.records(), s.journaled(), s.duplicates(), s.deadLettered(),
                    s.lastError(), s.lastRecordAt(), s.backpressure());
        });
    }

    public Optional<Status> status(String partner, String job) {
        return find(partner, job).map(KafkaJobConsumer::status);
    }

    /**
     * Stops fetching (the group keeps its partitions and offsets) on every instance, within a second, and across
     * restarts: the switch is the job's row, as for paged jobs. False when there is no such Kafka job.
     */
    public boolean pause(String partner, String job) {
        return find(partner, job).map(c -> { gate.setPaused(partner, job, true); return true; }).orElse(false);
    }

    public boolean resume(String partner, String job) {
        return find(partner, job).map(c -> { gate.setPaused(partner, job, false); return true; }).orElse(false);
    }

    private Optional<KafkaJobConsumer> find(String partner, String job) {
        return Optional.ofNullable(consumers.get(key(partner, job)));
    }

    private static String key(String partner, String job) {
        return partner + "/" + job;
    }
}
