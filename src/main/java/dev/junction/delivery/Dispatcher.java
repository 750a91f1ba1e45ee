package dev.junction.delivery;

import dev.junction.InstanceId;
import dev.junction.MessageMdc;
import dev.junction.JunctionProperties;
import dev.junction.ThreadedLifecycle;
import dev.junction.intake.AcceptedMessage;
import dev.junction.intake.FastPath;
import dev.junction.intake.MessagesAccepted;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Delivers journal messages through their routes. New messages arrive by event right after their commit (already
 * leased to this instance); a recovery poller claims due retries, replays and messages whose lease expired with the
 * process that held it. Each outcome is recorded with the partner's retry policy.
 */
@Component
class Dispatcher implements ThreadedLifecycle, FastPath {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** Pause between quick passes while a backlog drains. */
    private static final Duration BUSY_POLL = Duration.ofMillis(50);
    /** Exchange properties (never forwarded to targets) that tell a route's target calls which delivery they serve. */
    static final String RECEIPT_PROPERTY = "JunctionReceiptId";
    static final String ATTEMPT_PROPERTY = "JunctionAttempt";
    /** Set by a {@code target:} call: the {@code <partner>/<target>} the route called. */
    static final String TARGET_PROPERTY = "JunctionTarget";
    /** Set by an {@code agent:} call the agent took: the vendor whose callback completes the message. */
    static final String AWAITING_PROPERTY = "JunctionAwaitingAgent";

    private final PartnerRegistry partners;
    private final DeliveryStore store;
    private final OutcomeWriter outcomes;
    private final ProducerTemplate camel;
    /** Set once the application is ready, i.e. after Camel (the last lifecycle bean to start) has started its routes. */
    private volatile boolean routesReady;
    private final DeliveryMetrics metrics;
    private final Clock clock;
    private final String owner;
    private final JunctionProperties.Delivery settings;
    private final PartnerLanes lanes;
    private final BreakerSweep sweep;
    private final AgentCallbacks callbacks;
    private final DeliveryLog deliveryLog = new DeliveryLog();
    private final RouteSwaps routeSwaps;
    /** Messages this process holds (queued or running), so its own poller never claims one twice. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    /** Messages leased to this instance at intake that it could not take; released by the poller, off the intake path. */
    private final Queue<String> giveBack = new ConcurrentLinkedQueue<>();
    private ScheduledExecutorService poller;
    /** Partners whose lane took a full claim in the last pass (or was full): the quick passes claim for these. */
    private volatile Set<String> busy = Set.of();
    private volatile Instant nextFullPoll = Instant.EPOCH;
    private volatile boolean running;

    Dispatcher(PartnerRegistry partners, DeliveryStore store, OutcomeWriter outcomes, ProducerTemplate camel,
               DeliveryMetrics metrics, Clock clock, InstanceId instance, JunctionProperties properties,
               BreakerSweep sweep, AgentCallbacks callbacks, RouteSwaps routeSwaps) {
        this.callbacks = callbacks;
        this.routeSwaps = routeSwaps;
        this.partners = partners;
        this.store = store;
        this.outcomes = outcomes;
        this.camel = camel;
        this.metrics = metrics;
        this.clock = clock;
        this.owner = instance.value();
        this.settings = properties.delivery();
        this.lanes = new PartnerLanes(partners.all(), settings);
        this.sweep = sweep;
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        routesReady = true;
    }

    @EventListener
    void onReload(PartnersReloaded reloaded) {
        lanes.update(reloaded.current().all());
    }

    /**
     * Runs on the journal's writer thread right after its commit, so it must not touch the database. The journal
     * leased to this instance only the messages {@link #hasRoom} said a lane would take; one that does not fit after all
     * (the poller filled the lane meanwhile) is given back by the next poll. The others were journaled unleased, and the
     * poller claims them as the lanes drain.
     */
    @EventListener
    void onAccepted(MessagesAccepted accepted) {
        for (AcceptedMessage m : accepted.leased()) {
            metrics.accepted(m.partner(), m.event());
            if (!running || !routesReady || !hold(new Job(m, 0, 0, m.receivedAt().plus(settings.lease())))) {
                giveBack.add(m.receiptId());
            }
        }
        for (AcceptedMessage m : accepted.unleased()) {
            metrics.accepted(m.partner(), m.event());
        }
    }

    /**
     * Asked by the journal before each insert. A message that would not fit its lane is journaled unleased, so it is
     * claimable at once: leasing it and giving it back cost two more writes of its row, and a backlog of leased rows is
     * one every claim must scan past.
     */
    @Override
    public boolean hasRoom(String partner, int promised) {
        return running && routesReady && lanes.free(partner) > promised;
    }

    /**
     * One pass of the recovery poller, then the next is scheduled: soon while some partner's lane took all it was
     * offered (a backlog is draining), else at the next full poll. A full poll asks the database which partners have
     * due messages; the quick passes in between claim only for partners known to be busy, each with an index range
     * scan bounded by the lane's room, so a large backlog is not re-counted several times a second.
     */
    private void pollLoop() {
        Instant now = clock.instant();
        boolean full = !now.isBefore(nextFullPoll);
        // Until Camel has started the routes nothing is claimed; check again soon, so the first full poll comes right after.
        boolean more = !routesReady;
        try {
            more |= poll(full, now);
        } catch (RuntimeException | Error e) {
            // The database may be briefly unreachable; the next poll tries again. An escaping throwable would
            // end the poller and silently stop recovery for good.
            log.warn("Delivery poll failed: {}", e.toString());
        } finally {
            if (full && routesReady) {
                nextFullPoll = now.plus(settings.pollInterval());
            }
            long untilFull = Math.max(0, Duration.between(clock.instant(), nextFullPoll).toMillis());
            // Before the first full poll nextFullPoll is in the past, so untilFull is 0: waiting for the routes must
            // still pause, or the poller spins on a core for as long as they are not ready.
            long delay = !routesReady ? BUSY_POLL.toMillis() : more ? Math.min(BUSY_POLL.toMillis(), untilFull) : untilFull;
            if (running) {
                try {
                    poller.schedule(this::pollLoop, delay, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException stopping) {
                    // stop() shut the poller down meanwhile
                }
            }
        }
    }

    /** Claims due messages into the partners' lanes; true when a lane took everything offered, so more may be due. */
    boolean poll(boolean full, Instant now) {
        if (!routesReady) {
            return false;
        }
        releaseGivenBack();
        if (full) {
            sweep.sweep(lanes.partners(), now);
            callbacks.sweep(now);
        }
        Collection<String> partnersToClaim = full ? store.duePartners(lanes.partners(), now) : busy;
        Set<String> stillBusy = new HashSet<>();
        for (String partner : partnersToClaim) {
            int room = Math.min(settings.pollBatch(), lanes.free(partner));
            if (room <= 0) {
                stillBusy.add(partner); // a full lane: come back when it has drained, without asking the database
                continue;
            }
            List<Job> claimed = store.claim(partner, room, now, owner, now.plus(settings.lease()), held::contains);
            List<String> notTaken = new ArrayList<>();
            for (Job job : claimed) {
                if (!hold(job)) {
                    notTaken.add(job.receiptId());
                }
            }
            store.release(notTaken, owner);
            if (claimed.size() == room) {
                stillBusy.add(partner);
            }
        }
        busy = stillBusy;
        if (full) {
            metrics.refresh(now);
        }
        return !stillBusy.isEmpty();
    }

    /** Clears this instance's lease on messages it could not take, so the claim below (or another instance) can. */
    private void releaseGivenBack() {
        List<String> ids = takeGivenBack();
        try {
            store.release(ids, owner); // in small statements of its own
        } catch (RuntimeException e) {
            giveBack.addAll(ids);
            throw e;
        }
    }

    private List<String> takeGivenBack() {
        List<String> ids = new ArrayList<>();
        for (String id; (id = giveBack.poll()) != null; ) {
            ids.add(id);
        }
        return ids;
    }

    private boolean hold(Job job) {
        held.add(job.receiptId());
        if (lanes.submit(job, this::deliverHeld)) {
            return true;
        }
        held.remove(job.receiptId());
        return false;
    }

    /**
     * Runs on a lane thread. It does not wait for the outcome's commit: the lane's {@code unrecorded} permits bound
     * how many of the partner's deliveries may be running or awaiting their commit, and the message stays held (so
     * the poller never claims it again) until its outcome is committed.
     */
    private void deliverHeld(Job job) {
        Semaphore unrecorded = lanes.unrecorded(job.message().partner());
        try {
            if (!unrecorded.tryAcquire()) {
                outcomes.flush(); // this lane's outcomes are waiting in the writer's batch: commit without lingering
                unrecorded.acquire();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            held.remove(job.receiptId());
            return;
        }
        String receiptId = job.receiptId(); // not the job: what runs after the commit must not keep the payload
        Runnable settled = () -> {
            held.remove(receiptId);
            unrecorded.release();
        };
        boolean recording = false;
        AcceptedMessage m = job.message();
        // Every line of the attempt, the hub's and the route's, names the message (MessageMdc).
        try (MessageMdc mdc = MessageMdc.open(receiptId, m.partner(), m.event(), m.correlationId())) {
            Instant now = clock.instant();
            // A job that waited in line renews its claim first, so another instance cannot take it meanwhile.
            if (now.isAfter(job.leasedUntil().minus(settings.lease().dividedBy(2)))
                    && !store.renew(job.receiptId(), owner, now, now.plus(settings.lease()))) {
                return;
            }
            recording = deliver(job, settled);
        } catch (RuntimeException | Error e) {
            log.warn("Delivery of {} failed before its route ran: {}", job.receiptId(), e.toString());
        } finally {
            if (!recording) {
                settled.run();
            }
        }
    }

    /** Runs the route and hands the outcome to the writer; true if {@code settled} runs once it is committed. */
    private boolean deliver(Job job, Runnable settled) {
        AcceptedMessage m = job.message();
        Partner partner = partners.find(m.partner()).orElse(null);
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Outcome outcome;
        String target = "-";
        if (routeSwaps.holds(m.route())) {
            outcome = new Outcome.Deferred("route " + m.route() + " was being reloaded");
        } else {
            Routed routed = runRoute(job);
            outcome = routed.outcome();
            target = routed.target();
            if (outcome instanceof Outcome.Retry r && FailureClassifier.noRouteConsumer(r.error()) && routeSwaps.active(clock.instant())) {
                outcome = new Outcome.Deferred("route " + m.route() + " was being reloaded");
            }
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        Instant now = clock.instant();
        Partner.RetryPolicy policy = partner == null ? Partner.RetryPolicy.DEFAULT : partner.retry();
        Settlement settlement = settle(job, outcome, policy, started, ms, now);
        if (settlement.kind() == Settlement.Kind.PARKED && settlement.parkedOn() != null) {
            sweep.parked(settlement.parkedOn(), now);
        }
        deliveryLog.settled(settlement, outcome, target, policy.maxAttempts(), now);
        String receiptId = m.receiptId();
        String partnerId = m.partner();
        String event = m.event();
        String correlationId = m.correlationId();
        try {
            outcomes.submit(settlement).whenComplete((won, error) -> {
                try (MessageMdc mdc = MessageMdc.open(receiptId, partnerId, event, correlationId)) {
                    if (error != null) {
                        // The lease expires and the message is attempted again: at-least-once, deduplicable by Idempotency-Key.
                        log.warn("Could not record the outcome of {}: {}", receiptId, error.toString());
                    } else {
                        count(settlement, now);
                    }
                } finally {
                    settled.run();
                }
            });
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not record the outcome of {}: {}", m.receiptId(), e.toString());
            return false;
        }
    }

    /** What one run of the message's route came to, and the target it called last ("-" when none). */
    private record Routed(Outcome outcome, String target) {}

    private Routed runRoute(Job job) {
        AcceptedMessage m = job.message();
        // A scope of its own: with junction.log.format=json Camel's MDC unit of work carries these fields across
        // threads and removes them when the exchange is done; closing puts them back for the outcome's lines.
        try (MessageMdc routing = MessageMdc.open(m.receiptId(), m.partner(), m.event(), m.correlationId())) {
            Exchange result = camel.send("direct:" + m.route(), exchange -> {
                exchange.setProperty(RECEIPT_PROPERTY, m.receiptId());
                exchange.setProperty(ATTEMPT_PROPERTY, job.attempts() + 1);
                exchange.getIn().setBody(new String(m.payload(), StandardCharsets.UTF_8));
                exchange.getIn().setHeader("Content-Type", m.contentType());
                exchange.getIn().setHeader("Idempotency-Key", m.receiptId());
                exchange.getIn().setHeader("X-Correlation-Id", m.correlationId());
                exchange.getIn().setHeader("JunctionPartner", m.partner());
                exchange.getIn().setHeader("JunctionEvent", m.event());
            });
            Outcome outcome = FailureClassifier.classify(result);
            String vendor = result.getProperty(AWAITING_PROPERTY, String.class);
            if (vendor != null && outcome instanceof Outcome.Delivered d) {
                outcome = new Outcome.Awaiting(vendor, d.httpStatus());
            }
            return new Routed(outcome, DeliveryLog.target(result));
        } catch (RuntimeException e) {
            return new Routed(FailureClassifier.classify(e), "-");
        }
    }

    private Settlement settle(Job job, Outcome outcome, Partner.RetryPolicy policy, Instant started, long ms, Instant now) {
        int number = job.attempts() + 1;
        if (outcome instanceof Outcome.Delivered d) {
            return Settlement.delivered(job, Attempt.of(number, started, ms, "delivered", d.httpStatus(), null), now);
        }
        if (outcome instanceof Outcome.Awaiting a) {
            Duration timeout = partners.find(a.vendor()).map(v -> v.agent().callbackTimeout()).orElse(Partner.Agent.DEFAULT_CALLBACK_TIMEOUT);
            return Settlement.awaiting(job, Attempt.of(number, started, ms, "awaiting-callback", a.httpStatus(), null), now, now.plus(timeout));
        }
        if (outcome instanceof Outcome.Deferred d) {
            return Settlement.deferred(job, now, now.plus(RouteSwaps.DEFER), d.reason());
        }
        if (outcome instanceof Outcome.Parked p) {
            return Settlement.parked(job, now, p.target(), sweep.parkUntil(p.target(), now), p.reason());
        }
        if (outcome instanceof Outcome.Retry r && number < policy.maxAttempts()) {
            Duration delay = r.retryAfter() != null ? RetrySchedule.retryAfter(r.retryAfter(), policy)
                    : RetrySchedule.after(number, policy, ThreadLocalRandom.current());
            return Settlement.retry(job, Attempt.of(number, started, ms, "retry", r.httpStatus(), r.error()), now, now.plus(delay));
        }
        Integer status = outcome instanceof Outcome.Retry r ? r.httpStatus() : ((Outcome.Dead) outcome).httpStatus();
        Throwable error = outcome instanceof Outcome.Retry r ? r.error() : ((Outcome.Dead) outcome).error();
        return Settlement.dead(job, Attempt.of(number, started, ms, "dead", status, error), now);
    }

    private void count(Settlement settlement, Instant now) {
        AcceptedMessage m = settlement.job().message();
        switch (settlement.kind()) {
            case DELIVERED -> metrics.delivered(m, now);
            case RETRY -> metrics.retried(m);
            case DEAD -> metrics.dead(m);
            case PARKED -> metrics.parked(m);
            case AWAITING -> {
                metrics.awaiting(m);
                // A callback may have overtaken this record; look on the poller's thread, not the outcome writer's.
                String receiptId = m.receiptId();
                try {
                    poller.execute(() -> callbacks.settledAwaiting(receiptId));
                } catch (RuntimeException stopping) {
                    // the next full poll's sweep applies it
                }
            }
        }
    }

    @Override
    public void start() {
        if (!settings.enabled()) {
            return;
        }
        running = true;
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "delivery-poller");
            t.setDaemon(true);
            return t;
        });
        poller.schedule(this::pollLoop, 0, TimeUnit.MILLISECONDS);
    }

    /**
     * Camel stops first among lifecycle beans (its phase is the highest), so delivery winds down on the close event,
     * before any lifecycle bean stops: running deliveries get a moment to finish, queued ones go back to the database.
     */
    @EventListener(ContextClosedEvent.class)
    void onClose() {
        stop();
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (poller != null) {
            poller.shutdownNow();
        }
        List<String> unstarted = new ArrayList<>(lanes.shutdown(TimeUnit.SECONDS.toMillis(10)).stream().map(Job::receiptId).toList());
        unstarted.addAll(takeGivenBack());
        try {
            store.release(unstarted, owner);
        } catch (RuntimeException e) {
            log.warn("Could not release {} queued message(s); their leases expire instead: {}", unstarted.size(), e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 3072;
    }
}
