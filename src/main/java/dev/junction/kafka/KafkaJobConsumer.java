package dev.junction.kafka;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.partner.Partner;
import dev.junction.partner.SyncJob;
import dev.junction.sync.PulledRecord;
import dev.junction.sync.SyncGate;
import dev.junction.sync.SyncJournal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka sync job's consumer thread: poll, journal the poll's records in one transaction, then commit their offsets.
 *
 * <p>The order is the guarantee. Offsets committed before the journal commit would lose the records of a crash in
 * between; committed after it, a crash in between redelivers records the journal has, and their keys
 * ({@code <partition>@<offset>}) drop them as duplicates. A failed journal commit rewinds the partitions to the poll's
 * first offsets and tries again after a pause, so nothing is skipped; a failed offset commit only means redelivery.
 *
 * <p>A record whose value is not a JSON object cannot be a message of the job's event (its route expects JSON), and
 * retrying it would block its partition for good. It is journaled as a dead letter of the event instead, with its
 * raw bytes and the reason: nothing the broker acknowledged is lost, ops see it in the dead letters, and can discard it
 * or replay it once the route copes.
 */
final class KafkaJobConsumer {

    private static final Logger log = LoggerFactory.getLogger(KafkaJobConsumer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration HOLD_CHECK = Duration.ofSeconds(1);

    private final Partner partner;
    private final SyncJob job;
    private final SyncJob.KafkaSource source;
    private final KafkaSettings settings;
    private final SyncJournal journal;
    private final PoisonRecords poison;
    private final OffsetCommits commits;
    private final Clock clock;
    private final SyncGate gate;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong journaled = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile String lastError;
    private volatile Instant lastRecordAt;
    /** The ops pause (sync_job.paused, for every instance) or backpressure, read at most every {@link #HOLD_CHECK}. */
    private volatile boolean pauseRequested;
    private volatile boolean backpressure;
    private Instant nextHoldCheck = Instant.MIN;
    /** Set by the consumer thread once it has stopped fetching: the poll under way when pause() came is journaled first. */
    private volatile boolean paused;
    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private volatile Instant startedAt;

    KafkaJobConsumer(Partner partner, SyncJob job, SyncJob.KafkaSource source, KafkaSettings settings, SyncJournal journal,
                     PoisonRecords poison, OffsetCommits commits, Clock clock, SyncGate gate) {
        this.partner = partner;
        this.job = job;
        this.source = source;
        this.settings = settings;
        this.journal = journal;
        this.poison = poison;
        this.commits = commits;
        this.clock = clock;
        this.gate = gate;
    }

    Instant startedAt() {
        return startedAt;
    }

    void start() {
        startedAt = clock.instant();
        running = true;
        thread = new Thread(this::run, "kafka-sync-" + partner.id() + "-" + job.id());
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String partner() {
        return partner.id();
    }

    SyncJob definition() {
        return job;
    }

    String job() {
        return job.id();
    }

    /** Reads the pause switch and the backlog, at most every HOLD_CHECK; a failed read keeps the last answer. */
    private void checkHold() {
        Instant now = clock.instant();
        if (now.isBefore(nextHoldCheck)) {
            return;
        }
        nextHoldCheck = now.plus(HOLD_CHECK);
        try {
            pauseRequested = gate.paused(partner.id(), job.id());
            backpressure = !pauseRequested && gate.overBacklog(partner.id(), job.maxBacklog());
        } catch (RuntimeException e) {
            log.warn("Kafka sync job {}/{} could not read its pause switch and backlog: {}", partner.id(), job.id(), e.toString());
        }
    }

    KafkaSyncConsumers.Status status() {
        String state = !running ? "stopped" : pauseRequested ? (paused ? "paused" : "pausing") : lastError != null ? "failing" : "running";
        return new KafkaSyncConsumers.Status(partner.id(), job.id(), source.topic(), source.groupId(), state, records.get(),
                journaled.get(), duplicates.get(), deadLettered.get(), lastError, lastRecordAt, backpressure);
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(properties())) {
            consumer = c;
            c.subscribe(List.of(source.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // nothing pending: each poll's offsets are committed before the next poll
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (pauseRequested || backpressure) {
                        c.pause(partitions); // a rebalance while paused must not start fetching the new partitions
                    }
                }
            });
            while (running) {
                checkHold();
                if (pauseRequested || backpressure) {
                    c.pause(c.assignment());
                    paused = true;
                } else if (paused) {
                    c.resume(c.paused());
                    paused = false;
                }
                ConsumerRecords<byte[], byte[]> polled = c.poll(POLL);
                if (!polled.isEmpty()) {
                    handle(c, polled);
                }
            }
        } catch (WakeupException stopping) {
            // stop() woke the consumer
        } catch (RuntimeException | Error e) {
            lastError = e.toString();
            log.error("Kafka sync job {}/{} stopped: {}", partner.id(), job.id(), e.toString(), e);
        } finally {
            consumer = null;
            running = false;
        }
    }

    private void handle(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> polled) {
        List<PulledRecord> good = new ArrayList<>(polled.count());
        List<PoisonRecords.Poison> bad = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            first.putIfAbsent(tp, r.offset());
            next.put(tp, new OffsetAndMetadata(r.offset() + 1));
            String reason = notAJsonObject(r.value());
            PulledRecord pulled = new PulledRecord(r.value() == null ? new byte[0] : r.value(), Long.toString(r.offset()),
                    Integer.toString(r.partition()));
            if (reason == null) {
                good.add(pulled);
            } else {
                bad.add(new PoisonRecords.Poison(pulled, r.topic() + "/" + r.partition() + "@" + r.offset() + ": " + reason));
            }
        }
        try {
            SyncJournal.Result result = journal.journal(partner, job, good);
            int dead = poison.journal(partner, job, bad);
            records.addAndGet(polled.count());
            journaled.addAndGet(result.journaled());
            duplicates.addAndGet(result.duplicates() + bad.size() - dead);
            deadLettered.addAndGet(dead);
            lastRecordAt = clock.instant();
        } catch (Exception e) {
            // Not journaled (or only the valid part): read the poll again, from its first offsets; what did commit is
            // then a duplicate.
            lastError = "journal: " + e;
            log.warn("Kafka sync job {}/{}: could not journal {} record(s), reading them again in {}: {}", partner.id(), job.id(),
                    polled.count(), RETRY_PAUSE, e.toString());
            first.forEach(c::seek);
            sleep(RETRY_PAUSE);
            return;
        }
        try {
            commits.commit(c, next);
            lastError = null;
        } catch (RuntimeException e) {
            // The records are journaled; if this consumer (or the group) restarts before a later commit covers them,
            // they come again and are dropped as duplicates.
            lastError = "offset commit: " + e;
            log.warn("Kafka sync job {}/{}: offset commit failed after the journal commit (records will be redelivered "
                    + "and dropped as duplicates): {}", partner.id(), job.id(), e.toString());
        }
    }

    /** Null when the value is one JSON object, else why not. */
    static String notAJsonObject(byte[] value) {
        if (value == null) {
            return "no value (a tombstone)";
        }
        try {
            JsonNode node = JSON.readTree(value);
            return node != null && node.isObject() ? null : "not a JSON object";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "not JSON: " + e.getOriginalMessage();
        } catch (java.io.IOException e) {
            return "not JSON: " + e;
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, source.groupId());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group starts with the topic's first record: a job added later still sees what the topic retains.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, SyncJob.DEFAULT_PAGE_SIZE);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "junction-sync-" + partner.id() + "-" + job.id());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return p;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
