package dev.junction.delivery;

import dev.junction.InstanceId;
import dev.junction.JunctionProperties;
import dev.junction.intake.AcceptedMessage;
import dev.junction.intake.MessagesAccepted;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
class Dispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

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
    /** Messages this process holds (queued or running), so its own poller never claims one twice. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService poller;
    private volatile boolean running;

    Dispatcher(PartnerRegistry partners, DeliveryStore store, OutcomeWriter outcomes, ProducerTemplate camel,
               DeliveryMetrics metrics, Clock clock, InstanceId instance, JunctionProperties properties) {
        this.partners = partners;
        this.store = store;
        this.outcomes = outcomes;
        this.camel = camel;
        this.metrics = metrics;
        this.clock = clock;
        this.owner = instance.value();
        this.settings = properties.delivery();
        this.lanes = new PartnerLanes(partners, settings);
    }

    @EventListener(ApplicationReadyEvent.class)
    void onReady() {
        routesReady = true;
    }

    @EventListener
    void onAccepted(MessagesAccepted accepted) {
        List<String> giveBack = new ArrayList<>();
        for (AcceptedMessage m : accepted.messages()) {
            metrics.accepted(m.partner(), m.event());
            // Intake opens before Camel has started its routes; until then the poller takes over.
            if (!running || !routesReady || !hold(new Job(m, 0, 0, m.receivedAt().plus(settings.lease())))) {
                giveBack.add(m.receiptId());
            }
        }
        if (!giveBack.isEmpty()) {
            store.release(giveBack, owner);
        }
    }

    void poll() {
        if (!routesReady) {
            return;
        }
        try {
            Instant now = clock.instant();
            for (Map.Entry<String, Integer> due : store.duePartners(now).entrySet()) {
                int room = Math.min(settings.pollBatch(), Math.min(due.getValue(), lanes.free(due.getKey())));
                if (room <= 0) {
                    continue;
                }
                List<String> giveBack = new ArrayList<>();
                for (Job job : store.claim(due.getKey(), room, now, owner, now.plus(settings.lease()), held::contains)) {
                    if (!hold(job)) {
                        giveBack.add(job.receiptId());
                    }
                }
                store.release(giveBack, owner);
            }
            metrics.refresh(now);
        } catch (RuntimeException | Error e) {
            // The database may be briefly unreachable; the next poll tries again. An escaping throwable would
            // cancel the schedule and silently stop recovery for good.
            log.warn("Delivery poll failed: {}", e.toString());
        }
    }

    private boolean hold(Job job) {
        held.add(job.receiptId());
        if (lanes.submit(job, this::deliverHeld)) {
            return true;
        }
        held.remove(job.receiptId());
        return false;
    }

    private void deliverHeld(Job job) {
        try {
            Instant now = clock.instant();
            // A job that waited in line renews its claim first, so another instance cannot take it meanwhile.
            if (now.isAfter(job.leasedUntil().minus(settings.lease().dividedBy(2)))
                    && !store.renew(job.receiptId(), owner, now, now.plus(settings.lease()))) {
                return;
            }
            deliver(job);
        } catch (RuntimeException | Error e) {
            log.warn("Delivery of {} failed before its route ran: {}", job.receiptId(), e.toString());
        } finally {
            held.remove(job.receiptId());
        }
    }

    void deliver(Job job) {
        AcceptedMessage m = job.message();
        Partner partner = partners.find(m.partner()).orElse(null);
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Outcome outcome;
        try {
            Exchange result = camel.send("direct:" + m.route(), exchange -> {
                exchange.getIn().setBody(new String(m.payload(), StandardCharsets.UTF_8));
                exchange.getIn().setHeader("Content-Type", m.contentType());
                exchange.getIn().setHeader("Idempotency-Key", m.receiptId());
                exchange.getIn().setHeader("X-Correlation-Id", m.correlationId());
                exchange.getIn().setHeader("JunctionPartner", m.partner());
                exchange.getIn().setHeader("JunctionEvent", m.event());
            });
            outcome = FailureClassifier.classify(result);
        } catch (RuntimeException e) {
            outcome = FailureClassifier.classify(e);
        }
        long ms = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        try {
            record(job, partner, outcome, started, ms);
        } catch (RuntimeException | Error e) {
            // The lease expires and the message is attempted again: at-least-once, deduplicable by Idempotency-Key.
            log.warn("Could not record the outcome of {}: {}", m.receiptId(), e.toString());
        }
    }

    private void record(Job job, Partner partner, Outcome outcome, Instant started, long ms) {
        Instant now = clock.instant();
        AcceptedMessage m = job.message();
        int number = job.attempts() + 1;
        Partner.RetryPolicy policy = partner == null ? Partner.RetryPolicy.DEFAULT : partner.retry();
        if (outcome instanceof Outcome.Delivered d) {
            outcomes.record(Settlement.delivered(job, Attempt.of(number, started, ms, "delivered", d.httpStatus(), null), now));
            metrics.delivered(m, now);
        } else if (outcome instanceof Outcome.Deferred d) {
            outcomes.record(Settlement.deferred(job, now, d.delay(), d.reason()));
        } else if (outcome instanceof Outcome.Retry r && number < policy.maxAttempts()) {
            Duration delay = r.retryAfter() != null ? RetrySchedule.retryAfter(r.retryAfter(), policy)
                    : RetrySchedule.after(number, policy, ThreadLocalRandom.current());
            outcomes.record(Settlement.retry(job, Attempt.of(number, started, ms, "retry", r.httpStatus(), r.error()), now, now.plus(delay)));
            metrics.retried(m);
        } else {
            Integer status = outcome instanceof Outcome.Retry r ? r.httpStatus() : ((Outcome.Dead) outcome).httpStatus();
            Throwable error = outcome instanceof Outcome.Retry r ? r.error() : ((Outcome.Dead) outcome).error();
            outcomes.record(Settlement.dead(job, Attempt.of(number, started, ms, "dead", status, error), now));
            metrics.dead(m);
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
        poller.scheduleWithFixedDelay(this::poll, 0, settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
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
        List<Job> unstarted = lanes.shutdown(TimeUnit.SECONDS.toMillis(10));
        try {
            store.release(unstarted.stream().map(Job::receiptId).toList(), owner);
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
