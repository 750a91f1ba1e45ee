package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.junction.support.HubClient;
import dev.junction.support.HubProcess;
import dev.junction.support.Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The durable 202 at process level: load the packaged hub, kill -9 it mid-load, start it again on the same data dir,
 * and check the ledger: every receipt the client was given must still exist. A negative control runs the same
 * ledger with H2's default write delay and must find losses, which shows the ledger can catch one.
 *
 * <p>Long form only ({@code -Dreliability=long}): the short form's CrashLedgerIT makes the same check and more (repeated
 * kills, every receipt delivered, the same H2 negative control), and the two together cost ./mvnw verify over a minute
 * of its 15-minute budget.
 */
@EnabledIfSystemProperty(named = "reliability", matches = "(?i)long", disabledReason = "long form: -Dreliability=long (CrashLedgerIT holds the guarantee in the short form)")
class KillNineIT {

    record Ledger(List<String> acknowledged, int unanswered, List<String> lost) {}

    @Test
    void noAcknowledgedMessageIsLostOnKillNine() throws Exception {
        Ledger ledger = killMidLoad(Map.of());
        assertThat(ledger.acknowledged()).hasSizeGreaterThan(300);
        assertThat(ledger.lost()).as("acknowledged but gone after kill -9").isEmpty();
    }

    @Test
    void negativeControlWithH2DefaultWriteDelayLosesAcknowledgedMessages() throws Exception {
        Path dir = Files.createTempDirectory("junction-kill9-control");
        Ledger ledger = killMidLoad(Map.of("SPRING_DATASOURCE_URL", "jdbc:h2:file:" + dir.resolve("junction") + ";DB_CLOSE_ON_EXIT=FALSE"),
                dir);
        assertThat(ledger.acknowledged()).hasSizeGreaterThan(300);
        assertThat(ledger.lost()).as("H2's default write delay must lose acknowledged commits, or this ledger cannot see a loss").isNotEmpty();
    }

    static Ledger killMidLoad(Map<String, String> env) throws Exception {
        return killMidLoad(env, Files.createTempDirectory("junction-kill9"));
    }

    static Ledger killMidLoad(Map<String, String> env, Path data) throws Exception {
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicInteger unanswered = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        HubProcess hub = HubProcess.start(data, env);
        HubClient client = hub.client();
        List<Thread> load = new ArrayList<>();
        AtomicInteger seq = new AtomicInteger();
        for (int t = 0; t < 16; t++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    String key = "kill9-" + seq.incrementAndGet();
                    try {
                        HubClient.Res res = client.postJson("/webhooks/acme/order-updated", "{\"key\":\"" + key + "\"}",
                                "X-API-Key", Keys.ACME, "Idempotency-Key", key);
                        if (res.status() == 202) {
                            acknowledged.add(res.json().path("receiptId").asText());
                        }
                    } catch (RuntimeException connectionGone) {
                        unanswered.incrementAndGet();
                    }
                }
            });
            thread.start();
            load.add(thread);
        }
        // Kill while requests are in flight: once a few hundred are acknowledged and more keep arriving.
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 400);
        hub.kill9();
        stop.set(true);
        for (Thread thread : load) {
            thread.join(30_000);
        }
        List<String> lost = new ArrayList<>();
        try (HubProcess again = HubProcess.start(data, env)) {
            HubClient after = again.client();
            for (String receipt : acknowledged) {
                if (after.get("/webhooks/acme/receipts/" + receipt, "X-API-Key", Keys.ACME).status() != 200) {
                    lost.add(receipt);
                }
            }
        }
        Ledger ledger = new Ledger(List.copyOf(acknowledged), unanswered.get(), lost);
        System.out.printf("kill -9 ledger %s: acknowledged=%d unanswered=%d lost=%d%n",
                env.isEmpty() ? "(default)" : "(control)", ledger.acknowledged().size(), ledger.unanswered(), lost.size());
        return ledger;
    }
}
