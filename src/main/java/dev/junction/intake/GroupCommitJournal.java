package dev.junction.intake;

import dev.junction.Batches;
import dev.junction.SqlErrors;
import dev.junction.InstanceId;
import dev.junction.JunctionProperties;
import dev.junction.ThreadedLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Appends messages with group commit: requests that arrive while a commit is in flight are committed together in the
 * next transaction, so intake is not bound to one fsync per request. A caller returns only once its row is committed.
 *
 * <p>Each writer thread owns a queue. Messages with an idempotency key always go to the same writer (by hash), so one
 * process never races itself on a key; races between processes are settled by the unique index and a per-message
 * retry. Bounded queues turn overload into a prompt 503 rather than unbounded memory.
 */
@Component
class GroupCommitJournal implements ThreadedLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitJournal.class);
    private static final String RELEASE_KEY = "UPDATE message SET idempotency_key = NULL WHERE receipt_id = ?";

    private final DataSource dataSource;
    private final Clock clock;
    private final JunctionProperties.Journal settings;
    private final Duration retention;
    private final String leaseOwner;
    private final Duration lease;
    private final ApplicationEventPublisher events;
    private final ObjectProvider<FastPath> fastPaths;
    /** Resolved when the journal starts; null when delivery is off, and then nothing is leased at intake. */
    private volatile FastPath fastPath;
    private final List<BlockingQueue<Pending>> queues = new ArrayList<>();
    private final List<Thread> writers = new ArrayList<>();
    private final Counter commits;
    private final Counter appended;
    private final DistributionSummary batchSize;
    private volatile boolean running;

    GroupCommitJournal(DataSource dataSource, Clock clock, JunctionProperties properties, MeterRegistry meters,
                       InstanceId instance, ApplicationEventPublisher events, ObjectProvider<FastPath> fastPaths) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.settings = properties.journal();
        this.retention = properties.idempotency().retention();
        // New messages are leased to this instance in the insert itself, so its fast path needs no claim round trip.
        this.leaseOwner = properties.delivery().enabled() ? instance.value() : null;
        this.lease = properties.delivery().lease();
        this.events = events;
        this.fastPaths = fastPaths;
        this.commits = Counter.builder("junction.journal.commits").description("Journal transactions committed").register(meters);
        this.appended = Counter.builder("junction.journal.appends").description("Messages committed to the journal").register(meters);
        this.batchSize = DistributionSummary.builder("junction.journal.batch.size").description("Messages per commit").register(meters);
    }

    /** Blocks until the message is committed; throws {@link JournalUnavailableException} when it cannot be. */
    AppendResult append(NewMessage message) {
        if (!running) {
            throw new JournalUnavailableException("The journal is not running", null);
        }
        Instant now = clock.instant();
        Pending pending = new Pending(message, ReceiptIds.next(now.toEpochMilli()), now, new CompletableFuture<>());
        BlockingQueue<Pending> queue = queues.get(writerFor(message));
        if (!queue.offer(pending)) {
            throw new JournalUnavailableException("The journal is overloaded; retry shortly", null);
        }
        try {
            return await(pending);
        } catch (TimeoutException e) {
            // A 503 must mean "not stored". Still queued: take it back, so it can never be committed after the answer.
            if (queue.remove(pending)) {
                throw new JournalUnavailableException("The commit did not complete within " + settings.appendTimeout(), e);
            }
            // A writer holds it: its commit decides, and the answer must say what that commit did.
            try {
                return await(pending);
            } catch (TimeoutException stillUnknown) {
                throw new JournalUnavailableException("The commit did not complete within twice " + settings.appendTimeout()
                        + "; it may still complete: retry with the same idempotency key", stillUnknown);
            }
        }
    }

    private AppendResult await(Pending pending) throws TimeoutException {
        try {
            return pending.result.get(settings.appendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JournalUnavailableException("Interrupted while waiting for the commit", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof JournalUnavailableException j ? j
                    : new JournalUnavailableException("The commit failed", e.getCause());
        }
    }

    private int writerFor(NewMessage m) {
        int n = queues.size();
        return m.idempotencyKey() == null ? ThreadLocalRandom.current().nextInt(n)
                : Math.floorMod(Objects.hash(m.partner(), m.event(), m.idempotencyKey()), n);
    }

    private void writeLoop(BlockingQueue<Pending> queue) {
        List<Pending> batch = new ArrayList<>(settings.maxBatch());
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                Batches.fill(queue, batch, settings.maxBatch(), settings.maxBatchBytes().toBytes(), p -> p.message.payload().length);
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // Whatever a driver throws (the PostgreSQL driver throws AssertionError on some broken connections),
                // this batch fails with a 503 and the writer lives on: a dead writer would refuse all intake for good.
                log.error("Journal writer failed a batch of {}", batch.size(), e);
                fail(batch, new JournalUnavailableException("The commit failed", e));
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // Optimistic: repeated keys are rare, so the batch goes in without looking keys up; the unique index
                // catches a repeat, and then each message is settled on its own.
                transact(c, batch, false);
            } catch (SQLException e) {
                SqlErrors.rollbackQuietly(c);
                if (!SqlErrors.isUniqueViolation(e)) {
                    throw e;
                }
                for (Pending p : batch) {
                    settleAlone(c, p);
                }
            }
        } catch (SQLException e) {
            log.warn("Journal commit of {} message(s) failed: {}", batch.size(), e.getMessage());
            fail(batch, new JournalUnavailableException("The journal database is unavailable", e));
        }
    }

    /** Looks the key up first; a second unique violation means another instance won the key meanwhile, now visible. */
    private void settleAlone(Connection c, Pending p) throws SQLException {
        try {
            transact(c, List.of(p), true);
        } catch (SQLException e) {
            SqlErrors.rollbackQuietly(c);
            if (!SqlErrors.isUniqueViolation(e)) {
                throw e;
            }
            transact(c, List.of(p), true);
        }
    }

    private void transact(Connection c, List<Pending> batch, boolean lookUpKeys) throws SQLException {
        List<Pending> inserted = new ArrayList<>(batch.size());
        Set<Pending> leased = new HashSet<>();
        List<Runnable> completions = write(c, batch, inserted, leased, lookUpKeys);
        c.commit();
        commits.increment();
        appended.increment(batch.size());
        batchSize.record(batch.size());
        completions.forEach(Runnable::run);
        announce(inserted, leased);
    }

    private void announce(List<Pending> inserted, Set<Pending> leased) {
        if (inserted.isEmpty()) {
            return;
        }
        List<AcceptedMessage> take = new ArrayList<>(leased.size());
        List<AcceptedMessage> waiting = new ArrayList<>(inserted.size() - leased.size());
        for (Pending p : inserted) {
            NewMessage m = p.message;
            (leased.contains(p) ? take : waiting).add(new AcceptedMessage(p.receiptId, m.partner(), m.event(), m.route(),
                    correlationId(p), m.contentType(), m.payload(), p.receivedAt));
        }
        try {
            events.publishEvent(new MessagesAccepted(take, waiting));
        } catch (RuntimeException e) {
            // Committed is committed: the recovery poller delivers these once their lease expires.
            log.warn("Could not hand {} committed message(s) to delivery: {}", inserted.size(), e.toString());
        }
    }

    private static String correlationId(Pending p) {
        return p.message.correlationId() != null ? p.message.correlationId() : p.receiptId;
    }

    /** Inserts the batch inside the open transaction; returns how to complete each caller once committed. */
    private List<Runnable> write(Connection c, List<Pending> batch, List<Pending> inserted, Set<Pending> leased, boolean lookUpKeys)
            throws SQLException {
        Map<IdemKey, List<Pending>> byKey = new LinkedHashMap<>();
        List<Pending> inserts = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            IdemKey key = IdemKey.of(p.message);
            if (key == null) {
                inserts.add(p);
            } else {
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
            }
        }
        Map<IdemKey, String> existing = new HashMap<>();
        if (lookUpKeys) {
            for (IdemKey key : byKey.keySet()) {
                String receipt = existingReceipt(c, key);
                if (receipt != null) {
                    existing.put(key, receipt);
                }
            }
        }
        List<Runnable> completions = new ArrayList<>(batch.size());
        for (Map.Entry<IdemKey, List<Pending>> e : byKey.entrySet()) {
            List<Pending> same = e.getValue();
            String earlier = existing.get(e.getKey());
            // The first message of a new key is stored; every other message with that key answers with its receipt.
            String receipt = earlier != null ? earlier : same.get(0).receiptId;
            if (earlier == null) {
                inserts.add(same.get(0));
            }
            for (Pending p : earlier == null ? same.subList(1, same.size()) : same) {
                completions.add(() -> p.result.complete(new AppendResult(receipt, true)));
            }
        }
        insert(c, inserts, leased);
        inserted.addAll(inserts);
        for (Pending p : inserts) {
            completions.add(() -> p.result.complete(new AppendResult(p.receiptId, false)));
        }
        return completions;
    }

    /** The receipt holding this key within the retention window, or null; a key past it is released here. */
    private String existingReceipt(Connection c, IdemKey key) throws SQLException {
        String receipt;
        Instant receivedAt;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT receipt_id, received_at FROM message WHERE partner = ? AND event = ? AND idempotency_key = ?")) {
            ps.setString(1, key.partner());
            ps.setString(2, key.event());
            ps.setString(3, key.key());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                receipt = rs.getString(1);
                receivedAt = rs.getObject(2, OffsetDateTime.class).toInstant();
            }
        }
        if (!receivedAt.isBefore(clock.instant().minus(retention))) {
            return receipt;
        }
        try (PreparedStatement ps = c.prepareStatement(RELEASE_KEY)) {
            ps.setString(1, receipt);
            ps.executeUpdate();
        }
        return null;
    }

    /** Inserts the messages, each leased to this instance if its partner's lane will take it right after the commit. */
    private void insert(Connection c, List<Pending> inserts, Set<Pending> leased) throws SQLException {
        if (inserts.isEmpty()) {
            return;
        }
        FastPath lanes = fastPath;
        Map<String, Integer> promised = new HashMap<>();
        List<MessageRows.Row> rows = new ArrayList<>(inserts.size());
        for (Pending p : inserts) {
            String partner = p.message.partner();
            boolean lease = lanes != null && lanes.hasRoom(partner, promised.getOrDefault(partner, 0));
            if (lease) {
                promised.merge(partner, 1, Integer::sum);
                leased.add(p);
            }
            rows.add(new MessageRows.Row(p.receiptId, p.message, correlationId(p), p.receivedAt,
                    lease ? leaseOwner : null, lease ? p.receivedAt.plus(this.lease) : null));
        }
        MessageRows.insert(c, rows);
    }

    private static void fail(List<Pending> batch, JournalUnavailableException e) {
        batch.forEach(p -> p.result.completeExceptionally(e));
    }

    @Override
    public void start() {
        fastPath = leaseOwner == null ? null : fastPaths.getIfAvailable();
        running = true;
        for (int i = 0; i < settings.writerThreads(); i++) {
            BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(settings.queueCapacity());
            queues.add(queue);
            Thread writer = new Thread(() -> writeLoop(queue), "journal-writer-" + i);
            writer.setDaemon(false);
            writers.add(writer);
            writer.start();
        }
    }

    /** Stops after the web server: no new request arrives, and every queued message is committed before exit. */
    @Override
    public void stop() {
        running = false;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writers.clear();
        queues.clear();
    }

    /** True when the journal runs and every writer thread is alive. */
    boolean healthy() {
        return running && !writers.isEmpty() && writers.stream().allMatch(Thread::isAlive);
    }

    /** Messages waiting for a writer. */
    int queued() {
        return queues.stream().mapToInt(BlockingQueue::size).sum();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private record Pending(NewMessage message, String receiptId, Instant receivedAt, CompletableFuture<AppendResult> result) {}

    private record IdemKey(String partner, String event, String key) {
        static IdemKey of(NewMessage m) {
            return m.idempotencyKey() == null ? null : new IdemKey(m.partner(), m.event(), m.idempotencyKey());
        }
    }
}
