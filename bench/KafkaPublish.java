import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka publish benchmark's client (bench/kafka-publish.sh runs it) against ONE running hub and ONE broker, in
 * interleaved rounds (the order of hub and plain producer alternates from round to round):
 * <ul>
 *   <li>{@code hub}: N webhooks posted by H concurrent HTTP clients to a partner whose route is {@code to: kafka:<topic>};
 *       timed from the first POST until the topic's end offsets have grown by N (polled every 5 ms). That covers
 *       intake (authentication, journal commit, 202), the dispatcher, the route's acks=all send and nothing after it
 *       (the outcome's commit is checked, not timed: afterwards the hub must count all N delivered).
 *       {@code hub-intake} is the same run's time until the last 202, for context.</li>
 *   <li>{@code plain-async}: N records of the same size by one KafkaProducer with the hub's settings (acks=all,
 *       idempotence, linger 5 ms, max.in.flight 5), sent without waiting, then flush; as kafka-producer-perf-test does.</li>
 *   <li>{@code plain-sync}: the same N records by C threads that each wait for one send's answer before the next: how
 *       the hub sends (one delivery waits for its record's ack; C = the partner's maxConcurrent).</li>
 * </ul>
 * Any wrong answer (not 202, records missing, the hub not counting them delivered) stops the program with exit 1.
 *
 * <p>{@code --mode intake|watch|plain} run one part of the drain measure (bench/kafka-publish.sh drives it): {@code intake}
 * posts N webhooks to a hub whose delivery is off ({@code journal-intake}); {@code watch}, started before the hub
 * restarts with delivery on, times the topic from its first new record to the N-th ({@code hub-drain}: the publish path
 * alone, claim, route, acks=all send, outcome; exactly N new records); {@code plain} runs both plain producers once
 * ({@code drain-plain-async}, {@code drain-plain-sync}).
 *
 * <p>Output: {@code KAFKA round=<r> measure=<hub|hub-intake|hub-drain|journal-intake|[drain-]plain-async|[drain-]plain-sync> records=<n>
 * seconds=<s> per_s=<n>}.
 */
public class KafkaPublish {

    private static final Pattern DELIVERED = Pattern.compile("\"delivered\"\\s*:\\s*(\\d+)");

    public static void main(String[] a) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < a.length; i += 2) {
            o.put(a[i].replaceFirst("^--", ""), a[i + 1]);
        }
        String hub = o.get("hub"), key = o.get("key"), opsKey = o.get("ops-key"), brokers = o.get("brokers");
        String partner = o.get("partner"), topic = o.get("topic");
        int n = Integer.parseInt(o.getOrDefault("records", "20000"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "5"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "1"));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "16"));
        int httpClients = Integer.parseInt(o.getOrDefault("http-clients", "32"));

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        String mode = o.getOrDefault("mode", "rounds");
        int round = Integer.parseInt(o.getOrDefault("round", "1"));
        if (mode.equals("intake")) {
            intake(http, hub, key, partner, n, httpClients, "r" + round + "-drain", round);
            return;
        }
        if (!mode.equals("rounds")) {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(brokers));
                 KafkaConsumer<String, String> offsets = new KafkaConsumer<>(Map.of("bootstrap.servers", brokers,
                         "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class))) {
                List<TopicPartition> partitions = offsets.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                if (mode.equals("watch")) {
                    watch(offsets, partitions, n, round);
                } else { // plain
                    print(round, "drain-plain-async", n, plainAsync(producer, topic, n, "r" + round + "-pa"));
                    print(round, "drain-plain-sync", n, plainSync(producer, topic, n, concurrency, "r" + round + "-ps"));
                }
            }
            return;
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(brokers));
             KafkaConsumer<String, String> offsets = new KafkaConsumer<>(Map.of("bootstrap.servers", brokers,
                     "key.deserializer", StringDeserializer.class, "value.deserializer", StringDeserializer.class))) {
            List<TopicPartition> partitions = offsets.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            for (int r = 1 - warmup; r <= rounds; r++) {
                String[] order = r % 2 == 0 ? new String[] {"hub", "plain-async", "plain-sync"} : new String[] {"plain-async", "plain-sync", "hub"};
                for (String m : order) {
                    String tag = "r" + r + "-" + m;
                    switch (m) {
                        case "hub" -> hub(http, hub, key, opsKey, partner, offsets, partitions, n, httpClients, tag, r);
                        case "plain-async" -> print(r, m, n, plainAsync(producer, topic, n, tag));
                        default -> print(r, m, n, plainSync(producer, topic, n, concurrency, tag));
                    }
                }
            }
        }
    }

    static Properties producerProps(String brokers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return p;
    }

    static String body(String tag, int i) {
        return "{\"orderId\":\"" + tag + "-" + i + "\",\"sku\":\"SKU-12345\",\"qty\":3,\"note\":\"kafka publish benchmark order\"}";
    }

    static double plainAsync(KafkaProducer<String, String> producer, String topic, int n, String tag) throws Exception {
        AtomicReference<Exception> failed = new AtomicReference<>();
        CountDownLatch acked = new CountDownLatch(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString(), body(tag, i)), (md, e) -> {
                if (e != null) {
                    failed.set(e);
                }
                acked.countDown();
            });
        }
        producer.flush();
        acked.await();
        double s = (System.nanoTime() - t0) / 1e9;
        if (failed.get() != null) {
            fail("plain-async: " + failed.get());
        }
        return s;
    }

    static double plainSync(KafkaProducer<String, String> producer, String topic, int n, int threads, String tag) throws Exception {
        ConcurrentLinkedQueue<Exception> failed = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int from = t;
            Thread w = new Thread(() -> {
                for (int i = from; i < n; i += threads) {
                    try {
                        producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString(), body(tag, i))).get();
                    } catch (Exception e) {
                        failed.add(e);
                        return;
                    }
                }
            });
            w.start();
            workers.add(w);
        }
        for (Thread w : workers) {
            w.join();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (!failed.isEmpty()) {
            fail("plain-sync: " + failed.peek());
        }
        return s;
    }

    static void hub(HttpClient http, String hub, String key, String opsKey, String partner, KafkaConsumer<String, String> offsets,
                    List<TopicPartition> partitions, int n, int clients, String tag, int round) throws Exception {
        long deliveredBefore = delivered(http, hub, opsKey, partner);
        long before = end(offsets, partitions);
        long t0 = System.nanoTime();
        double intake = post(http, hub, key, partner, n, clients, tag);
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        long now;
        while ((now = end(offsets, partitions)) < before + n) {
            if (System.nanoTime() > deadline) {
                fail("hub: only " + (now - before) + " of " + n + " records reached the topic in 300 s");
            }
            Thread.sleep(5);
        }
        double published = (System.nanoTime() - t0) / 1e9;
        print(round, "hub", n, published);
        print(round, "hub-intake", n, intake);
        // Not timed: every message must also be recorded delivered, and no record published twice.
        while (delivered(http, hub, opsKey, partner) < deliveredBefore + n) {
            if (System.nanoTime() > deadline) {
                fail("hub: the messages were published but not all recorded delivered");
            }
            Thread.sleep(100);
        }
        long extra = end(offsets, partitions) - before - n;
        if (extra != 0) {
            fail("hub: " + extra + " records more than messages (a retried attempt?)");
        }
    }

    /** Posts N webhooks to a hub whose delivery is off (they wait in the journal); prints the intake rate. */
    static void intake(HttpClient http, String hub, String key, String partner, int n, int clients, String tag, int round) throws Exception {
        print(round, "journal-intake", n, post(http, hub, key, partner, n, clients, tag));
    }

    /** N webhooks by {@code clients} concurrent requests; seconds until the last 202 (exit 1 on any other answer). */
    static double post(HttpClient http, String hub, String key, String partner, int n, int clients, String tag) throws Exception {
        Semaphore inFlight = new Semaphore(clients);
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<?>> all = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inFlight.acquire();
            HttpRequest req = HttpRequest.newBuilder(URI.create(hub + "/webhooks/" + partner + "/order-created"))
                    .timeout(Duration.ofSeconds(60)).header("X-API-Key", key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body(tag, i))).build();
            all.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, e) -> {
                inFlight.release();
                if (e != null || res.statusCode() != 202) {
                    wrong.add(e != null ? e.toString() : res.statusCode() + " " + res.body());
                }
            }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!wrong.isEmpty()) {
            fail("intake: " + wrong.size() + " wrong answers, e.g. " + wrong.peek());
        }
        return seconds;
    }

    /**
     * Started before the hub that drains the journal: from the first new record in the topic to the N-th, the rate at
     * which the hub publishes a backlog (claim, route, acks=all send, outcome). Exactly N new records, else exit 1.
     */
    static void watch(KafkaConsumer<String, String> offsets, List<TopicPartition> partitions, int n, int round) throws Exception {
        long before = end(offsets, partitions);
        System.out.println("WATCHING from " + before);
        System.out.flush();
        long deadline = System.nanoTime() + Duration.ofSeconds(900).toNanos();
        long first = 0;
        long now;
        while ((now = end(offsets, partitions)) < before + n) {
            if (first == 0 && now > before) {
                first = System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                fail("watch: only " + (now - before) + " of " + n + " records");
            }
            Thread.sleep(5);
        }
        long last = System.nanoTime();
        if (first == 0) {
            first = last;
        }
        Thread.sleep(1000);
        if (end(offsets, partitions) != before + n) {
            fail("watch: " + (end(offsets, partitions) - before) + " records for " + n + " messages (a duplicate?)");
        }
        print(round, "hub-drain", n - 1, Math.max(1e-3, (last - first) / 1e9));
    }

    static long end(KafkaConsumer<String, String> consumer, List<TopicPartition> partitions) {
        return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
    }

    static long delivered(HttpClient http, String hub, String opsKey, String partner) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(hub + "/ops/partners"))
                .timeout(Duration.ofSeconds(30)).header("X-API-Key", opsKey).build(), HttpResponse.BodyHandlers.ofString());
        int at = res.body().indexOf("\"partner\":\"" + partner + "\"");
        if (res.statusCode() != 200 || at < 0) {
            fail("GET /ops/partners: " + res.statusCode() + " without " + partner);
        }
        int next = res.body().indexOf("\"partner\":\"", at + 1);
        Matcher m = DELIVERED.matcher(res.body().substring(at, next < 0 ? res.body().length() : next));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    static void print(int round, String measure, int n, double seconds) {
        System.out.printf(Locale.ROOT, "KAFKA round=%d measure=%s records=%d seconds=%.3f per_s=%.0f%n", round, measure, n, seconds, n / seconds);
    }

    static void fail(String why) {
        System.err.println("FAILED: " + why);
        System.exit(1);
    }
}
