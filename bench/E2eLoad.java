import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end delivery benchmark for Junction: webhook in, HTTP target out, timed on one clock.
 *
 * <p>One JVM plays both ends: an embedded HTTP target (the "sink", the partner target the hub delivers to) and the
 * partner that POSTs webhooks to the hub. Both use {@link System#nanoTime()}, so the end-to-end latency of a message is
 * simply (arrival at the sink) - (its scheduled send time), with no clock skew.
 *
 * <pre>
 *   java bench/E2eLoad.java max  --hub http://127.0.0.1:8080 --api-key K --sink-port 9090 --concurrency 50 --duration 10
 *   java bench/E2eLoad.java rate --hub http://127.0.0.1:8080 --api-key K --sink-port 9090 --rate 150 --duration 20
 *   java bench/E2eLoad.java sink --sink-port 9090          # only the target, until killed (manual checks)
 * </pre>
 *
 * <ul>
 *   <li>{@code rate}: open loop. Request i is due at t0 + i/R and is sent then, whatever happened to earlier requests
 *       (async client, no cap on requests in flight but {@code --max-inflight}); every latency is measured from the
 *       scheduled time, so a stalled hub or a late sender shows up in the figures instead of being hidden
 *       (coordinated omission).</li>
 *   <li>{@code max}: closed loop, {@code --concurrency} senders, each sending its next request when the previous one
 *       is answered; the 202 rate in the measured window is the maximum intake rate (deliveries run meanwhile).</li>
 * </ul>
 * Each run warms up for {@code --warmup} seconds (sent, delivered, not counted), measures for {@code --duration}
 * seconds, then waits up to {@code --drain-timeout} seconds until the sink has seen every correlation id that got a
 * 202. The last line on stdout is machine readable: {@code E2E_RESULT key=value ...} (latencies in ms).
 *
 * <p>Every request carries a unique {@code X-Correlation-Id} (run id + index, which is how the sink finds it) and a
 * unique {@code Idempotency-Key}; the sink also checks that the {@code Idempotency-Key} the hub sends is the receipt
 * id of the 202 ({@code key_mismatch}). JDK only; no dependencies.
 */
public class E2eLoad {

    static final int OVERFLOW = -2;
    static final int FAILED = -1;
    static final Pattern RECEIPT = Pattern.compile("\"receiptId\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern COUNT = Pattern.compile("\"statistic\"\\s*:\\s*\"COUNT\"\\s*,\\s*\"value\"\\s*:\\s*([0-9.eE+-]+)");

    /** The run the sink records into; deliveries of other runs (or strangers) are counted as foreign. */
    static volatile Run current;
    static final AtomicLong foreign = new AtomicLong();
    static final AtomicLong sinkRequests = new AtomicLong();

    public static void main(String[] argv) throws Exception {
        // The JDK server leaves Nagle's algorithm on by default; a target answers at once.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Opts o;
        try {
            o = Opts.parse(argv);
            if (!List.of("max", "rate", "sink").contains(o.mode)) {
                throw new IllegalArgumentException("mode must be max, rate or sink, not '" + o.mode + "'");
            }
            if (!o.mode.equals("sink")) {
                o.required("api-key");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(64);
            return;
        }
        HttpServer sink = startSink(o.integer("sink-port", 0), o.integer("sink-threads", 32));
        try {
            switch (o.mode) {
                case "sink" -> runSink(sink);
                case "rate", "max" -> System.exit(runLoad(o, sink));
                default -> throw new IllegalArgumentException("mode must be max, rate or sink, not '" + o.mode + "'");
            }
        } finally {
            sink.stop(0);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // The target
    // -----------------------------------------------------------------------------------------------------------

    static HttpServer startSink(int port, int threads) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sink-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            long now = System.nanoTime();
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
                sinkRequests.incrementAndGet();
                String cid = exchange.getRequestHeaders().getFirst("X-Correlation-Id");
                String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                Run run = current;
                if (run == null || !run.arrived(cid, key, now)) {
                    foreign.incrementAndGet();
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return server;
    }

    static void runSink(HttpServer sink) throws InterruptedException {
        System.err.println("sink listening on " + sink.getAddress() + "; Ctrl-C to stop");
        long last = 0;
        while (true) {
            Thread.sleep(1000);
            long now = sinkRequests.get();
            System.err.println("sink: " + now + " requests (+" + (now - last) + "/s)");
            last = now;
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // One run: what was sent, answered and delivered, per request index
    // -----------------------------------------------------------------------------------------------------------

    static final class Run {
        final String id;
        final String prefix;
        final int capacity;
        final long[] sched;
        final long[] sent;
        final long[] responded;
        final int[] status;
        final String[] receipt;
        final AtomicLongArray arrival;
        final AtomicReferenceArray<String> deliveredKey;
        final AtomicInteger issued = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final AtomicInteger inflight = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final Map<String, Integer> failures = new ConcurrentHashMap<>();

        Run(String id, int capacity) {
            this.id = id;
            this.prefix = id + "-";
            this.capacity = capacity;
            sched = new long[capacity];
            sent = new long[capacity];
            responded = new long[capacity];
            status = new int[capacity];
            receipt = new String[capacity];
            arrival = new AtomicLongArray(capacity);
            deliveredKey = new AtomicReferenceArray<>(capacity);
        }

        String correlationId(int i) {
            return prefix + i;
        }

        /** Records a delivery; false when the correlation id is not one of this run's. */
        boolean arrived(String cid, String key, long now) {
            if (cid == null || !cid.startsWith(prefix)) {
                return false;
            }
            int i;
            try {
                i = Integer.parseInt(cid, prefix.length(), cid.length(), 10);
            } catch (NumberFormatException e) {
                return false;
            }
            if (i < 0 || i >= capacity) {
                return false;
            }
            if (arrival.compareAndSet(i, 0, now)) {
                deliveredKey.set(i, key);
            } else {
                duplicates.incrementAndGet();
            }
            return true;
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // The partner
    // -----------------------------------------------------------------------------------------------------------

    static final class Sender {
        final HttpClient[] clients;
        final URI uri;
        final String apiKey;
        final byte[] body;
        final Duration timeout;
        final int maxInflight;

        Sender(Opts o) {
            int n = o.integer("clients", 2);
            clients = new HttpClient[n];
            for (int i = 0; i < n; i++) {
                clients[i] = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build();
            }
            String hub = o.string("hub", "http://127.0.0.1:8080").replaceAll("/+$", "");
            uri = URI.create(hub + "/webhooks/" + o.string("partner", "e2e") + "/" + o.string("event", "order-created"));
            apiKey = o.required("api-key");
            body = body(o.integer("body-bytes", 1024));
            timeout = Duration.ofMillis((long) (o.number("timeout", 30) * 1000));
            maxInflight = o.integer("max-inflight", 5000);
        }

        /** Opens a connection per client (GET /actuator/health) so the first measured request does not pay for it. */
        void warm() throws InterruptedException {
            URI health = uri.resolve("/actuator/health");
            for (HttpClient c : clients) {
                try {
                    c.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                } catch (IOException e) {
                    log("warning: the hub did not answer " + health + ": " + e);
                }
            }
        }

        /** Sends request i of the run, due at {@code due}; {@code then} runs once it is answered (or failed). */
        void fire(Run run, int i, long due, Runnable then) {
            run.sched[i] = due;
            run.issued.incrementAndGet();
            if (run.inflight.incrementAndGet() > maxInflight) {
                run.inflight.decrementAndGet();
                run.status[i] = OVERFLOW;
                run.done.incrementAndGet();
                if (then != null) {
                    then.run();
                }
                return;
            }
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("X-API-Key", apiKey)
                    .header("Idempotency-Key", "k-" + run.correlationId(i))
                    .header("X-Correlation-Id", run.correlationId(i))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            run.sent[i] = System.nanoTime();
            clients[i % clients.length].sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                long now = System.nanoTime();
                run.responded[i] = now;
                if (error != null) {
                    run.status[i] = FAILED;
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    run.failures.merge(cause.getClass().getSimpleName(), 1, Integer::sum);
                } else {
                    run.status[i] = response.statusCode();
                    if (response.statusCode() == 202) {
                        Matcher m = RECEIPT.matcher(response.body());
                        run.receipt[i] = m.find() ? m.group(1) : null;
                    }
                }
                run.inflight.decrementAndGet();
                run.done.incrementAndGet();
                if (then != null) {
                    then.run();
                }
            });
        }

        static byte[] body(int size) {
            String head = "{\"orderId\":\"e2e-order\",\"customer\":{\"id\":\"c-42\",\"email\":\"buyer@example.com\"},"
                    + "\"items\":[{\"sku\":\"SKU-1\",\"qty\":2,\"price\":\"19.90\"}],\"pad\":\"";
            String tail = "\"}";
            int pad = Math.max(0, size - head.length() - tail.length());
            return (head + "x".repeat(pad) + tail).getBytes(StandardCharsets.UTF_8);
        }
    }

    static int runLoad(Opts o, HttpServer sink) throws Exception {
        boolean max = o.mode.equals("max");
        double warmup = o.number("warmup", 3);
        double duration = o.number("duration", 20);
        double rate = max ? 0 : o.number("rate", -1);
        int concurrency = o.integer("concurrency", 50);
        double drainTimeout = o.number("drain-timeout", 60);
        if (!max && rate <= 0) {
            throw new IllegalArgumentException("rate mode needs --rate > 0");
        }
        int capacity = max ? o.integer("capacity", (int) Math.min(5_000_000, 20_000 * (warmup + duration) + 1000))
                : (int) Math.ceil(rate * (warmup + duration));
        String runId = o.string("run-id", "e2e" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36));
        if (!runId.matches("[A-Za-z0-9._:/]{1,100}")) {
            throw new IllegalArgumentException("--run-id must match [A-Za-z0-9._:/]{1,100} (no '-', it separates the index)");
        }
        Run run = new Run(runId, capacity);
        current = run;
        Sender sender = new Sender(o);
        HubCounters hub = new HubCounters(o);
        long foreignBefore = foreign.get();
        sender.warm();
        hub.warm();

        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long tw = t0 + seconds(warmup);
        long tend = tw + seconds(duration);
        Hiccups hiccups = new Hiccups(t0, (int) Math.ceil(warmup + duration + drainTimeout + sender.timeout.toSeconds()) + 30);
        Thread sampler = hub.sampleAt(new long[] {tw, tw + seconds(duration / 4), tw + seconds(duration / 2),
                tw + seconds(duration * 3 / 4), tend});
        log(String.format(Locale.ROOT, "%s run %s: %s, warm-up %.0fs, measured %.0fs, sink :%d -> %s", o.mode, runId,
                max ? "closed loop, " + concurrency + " senders" : String.format(Locale.ROOT, "open loop at %.1f req/s", rate),
                warmup, duration, sink.getAddress().getPort(), sender.uri));

        if (max) {
            CountDownLatch finished = new CountDownLatch(concurrency);
            AtomicInteger next = new AtomicInteger();
            LockSupport.parkNanos(t0 - System.nanoTime());
            for (int s = 0; s < concurrency; s++) {
                new ClosedLoop(run, sender, next, tend, finished).run();
            }
            finished.await();
        } else {
            int n = capacity;
            double periodNanos = 1e9 / rate;
            for (int i = 0; i < n; i++) {
                long due = t0 + Math.round(i * periodNanos);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                sender.fire(run, i, due, null);
            }
        }
        long stopped = System.nanoTime();
        int issued = run.issued.get();

        // Every response first (bounded by the request timeout), then every delivery of a 202 (bounded by the drain timeout).
        long responsesDeadline = stopped + sender.timeout.toNanos() + seconds(5);
        while (run.done.get() < issued && System.nanoTime() < responsesDeadline) {
            Thread.sleep(20);
        }
        long drainDeadline = stopped + seconds(drainTimeout);
        int missing;
        while ((missing = undelivered(run, issued)) > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(50);
        }
        long drained = System.nanoTime();
        sampler.join(TimeUnit.SECONDS.toMillis(10));
        hiccups.stop();
        Thread.sleep(300); // duplicates that were in flight
        current = null;

        Report r = new Report(o.mode, run, issued, t0, tw, tend, stopped, drained, duration, rate, concurrency, hub,
                foreign.get() - foreignBefore, missing, hiccups);
        r.clkTck = o.number("clk-tck", 100);
        Map<String, String> result = r.compute();
        result.put("label", o.string("label", "-"));
        String timeline = o.string("timeline", null);
        if (timeline != null) {
            r.writeTimeline(Path.of(timeline));
        }
        log(r.human(result));
        StringBuilder line = new StringBuilder("E2E_RESULT");
        result.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
        System.out.flush();
        return Integer.parseInt(result.get("ok_202")) == 0 ? 2 : 0;
    }

    /** One closed-loop sender: sends, and on each answer sends the next request, until the end time. */
    static final class ClosedLoop implements Runnable {
        final Run run;
        final Sender sender;
        final AtomicInteger next;
        final long end;
        final CountDownLatch finished;

        ClosedLoop(Run run, Sender sender, AtomicInteger next, long end, CountDownLatch finished) {
            this.run = run;
            this.sender = sender;
            this.next = next;
            this.end = end;
            this.finished = finished;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            int i;
            if (now >= end || (i = next.getAndIncrement()) >= run.capacity) {
                finished.countDown();
                return;
            }
            sender.fire(run, i, now, this);
        }
    }

    static int undelivered(Run run, int issued) {
        int missing = 0;
        for (int i = 0; i < issued; i++) {
            if (run.status[i] == 202 && run.arrival.get(i) == 0) {
                missing++;
            }
        }
        return missing;
    }

    // -----------------------------------------------------------------------------------------------------------
    // The hub's own counters (accepted - delivered), when an ops key is given
    // -----------------------------------------------------------------------------------------------------------

    static final class HubCounters {
        final boolean enabled;
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final String base;
        final String opsKey;
        final String partner;
        final long[] pending;
        final long hubPid;
        final Cpu[] cpu = new Cpu[2];

        HubCounters(Opts o) {
            hubPid = o.integer("hub-pid", 0);
            opsKey = o.string("ops-key", null);
            enabled = opsKey != null && !opsKey.isEmpty();
            base = o.string("hub", "http://127.0.0.1:8080").replaceAll("/+$", "");
            partner = o.string("partner", "e2e");
            pending = new long[5];
            Arrays.fill(pending, -1);
        }

        /** Samples the counters at each time (if an ops key was given), and CPU times at the first and the last. */
        Thread sampleAt(long[] times) {
            Thread t = new Thread(() -> {
                for (int k = 0; k < times.length; k++) {
                    long wait;
                    while ((wait = times[k] - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    if (k == 0 || k == times.length - 1) {
                        cpu[k == 0 ? 0 : 1] = Cpu.sample(hubPid);
                    }
                    if (enabled) {
                        pending[k] = pendingNow();
                    }
                }
            }, "hub-counters");
            t.setDaemon(true);
            t.start();
            return t;
        }

        void warm() {
            if (enabled && pendingNow() < 0) {
                log("warning: cannot read the hub's junction.messages.* counters at " + base + " with the ops key; hub_pending shows ?");
            }
        }

        /** accepted - delivered from the hub's counters (a second try if the busy hub did not answer in time), or -1. */
        long pendingNow() {
            for (int attempt = 0; attempt < 2; attempt++) {
                try {
                    long accepted = count("junction.messages.accepted");
                    long delivered = count("junction.messages.delivered");
                    if (accepted >= 0 && delivered >= 0) {
                        return accepted - delivered;
                    }
                } catch (IOException e) {
                    // timed out or refused: try once more
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return -1;
                }
            }
            return -1;
        }

        long count(String metric) throws IOException, InterruptedException {
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/actuator/metrics/" + metric + "?tag=partner:" + partner))
                    .timeout(Duration.ofSeconds(5)).header("X-API-Key", opsKey).GET().build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404) {
                return 0; // not registered yet: nothing counted
            }
            Matcher m = COUNT.matcher(response.body());
            return response.statusCode() == 200 && m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
        }
    }

    /**
     * How late this JVM wakes up from a 1 ms sleep, per second of the run (like jHiccup): a load generator that was
     * descheduled or paused cannot send on time nor record arrivals on time, so its stalls are reported next to the figures.
     */
    static final class Hiccups {
        final long t0;
        final long[] maxNanos;
        volatile boolean running = true;
        final Thread thread;

        Hiccups(long t0, int seconds) {
            this.t0 = t0;
            this.maxNanos = new long[seconds];
            thread = new Thread(this::loop, "hiccups");
            thread.setDaemon(true);
            thread.start();
        }

        void loop() {
            long period = TimeUnit.MILLISECONDS.toNanos(1);
            while (running) {
                long before = System.nanoTime();
                LockSupport.parkNanos(period);
                long after = System.nanoTime();
                long late = after - before - period;
                int s = (int) ((after - t0) / 1_000_000_000L);
                if (s >= 0 && s < maxNanos.length && late > maxNanos[s]) {
                    maxNanos[s] = late;
                }
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(1000);
        }

        double maxMillis(int fromSecond, int toSecond) {
            long m = 0;
            for (int s = Math.max(0, fromSecond); s < Math.min(toSecond, maxNanos.length); s++) {
                m = Math.max(m, maxNanos[s]);
            }
            return m / 1e6;
        }
    }

    /** CPU times from /proc (Linux): the hub's, this process's and the whole machine's; absent elsewhere. */
    record Cpu(long wallNanos, long hubTicks, long selfTicks, long machineTotal, long machineIdle) {
        static Cpu sample(long hubPid) {
            return new Cpu(System.nanoTime(), hubPid > 0 ? ticks("/proc/" + hubPid + "/stat") : -1, ticks("/proc/self/stat"),
                    machine(false), machine(true));
        }

        /** utime + stime of a process; -1 when unreadable. */
        static long ticks(String statFile) {
            try {
                String stat = Files.readString(Path.of(statFile));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        static long machine(boolean idleOnly) {
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                long total = 0;
                for (int i = 1; i < f.length; i++) {
                    total += Long.parseLong(f[i]);
                }
                return idleOnly ? Long.parseLong(f[4]) + Long.parseLong(f[5]) : total;
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        /** Percent of one core used by a process between two samples; "-" when unknown. */
        static String processPct(Cpu a, Cpu b, boolean hub, double clkTck) {
            long x = hub ? a.hubTicks : a.selfTicks;
            long y = hub ? b.hubTicks : b.selfTicks;
            if (x < 0 || y < 0 || b.wallNanos <= a.wallNanos) {
                return "-";
            }
            return fmt(100.0 * (y - x) / clkTck / ((b.wallNanos - a.wallNanos) / 1e9), 0);
        }

        static String machinePct(Cpu a, Cpu b) {
            long dt = b.machineTotal - a.machineTotal;
            long di = b.machineIdle - a.machineIdle;
            return a.machineTotal < 0 || dt <= 0 ? "-" : fmt(100.0 * (1 - (double) di / dt), 0);
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Figures
    // -----------------------------------------------------------------------------------------------------------

    static final class Report {
        final String mode;
        final Run run;
        final int issued;
        final long t0;
        final long tw;
        final long tend;
        final long stopped;
        final long drained;
        final double duration;
        final double rate;
        final int concurrency;
        final HubCounters hub;
        final long foreignCount;
        final int missing;
        final Hiccups hiccups;
        double clkTck = 100;
        long[] acceptedAt;   // sorted 202 response times
        long[] settledAt;    // sorted max(arrival, response) of delivered 202s
        long[] offeredAt;    // sorted scheduled send times of the requests that got a 202
        long[] arrivedAt;    // sorted arrival times of those of them that were delivered

        Report(String mode, Run run, int issued, long t0, long tw, long tend, long stopped, long drained, double duration,
               double rate, int concurrency, HubCounters hub, long foreignCount, int missing, Hiccups hiccups) {
            this.hiccups = hiccups;
            this.mode = mode;
            this.run = run;
            this.issued = issued;
            this.t0 = t0;
            this.tw = tw;
            this.tend = tend;
            this.stopped = stopped;
            this.drained = drained;
            this.duration = duration;
            this.rate = rate;
            this.concurrency = concurrency;
            this.hub = hub;
            this.foreignCount = foreignCount;
            this.missing = missing;
        }

        boolean measured(int i) {
            return run.sched[i] >= tw && run.sched[i] < tend;
        }

        Map<String, String> compute() {
            Map<String, String> out = new LinkedHashMap<>();
            List<Long> acc = new ArrayList<>();
            List<Long> settled = new ArrayList<>();
            List<Long> offeredList = new ArrayList<>();
            List<Long> arrivedList = new ArrayList<>();
            long[] e2e = new long[issued];
            long[] intake = new long[issued];
            long[] lag = new long[issued];
            int ne2e = 0;
            int nintake = 0;
            int nlag = 0;
            int sentMeasured = 0;
            int ok = 0;
            int okAll = 0;
            int undeliveredMeasured = 0;
            int undeliveredAll = 0;
            int deliveredWithout202 = 0;
            int keyMismatch = 0;
            int overflow = 0;
            int failed = 0;
            Map<Integer, Integer> otherStatus = new TreeMap<>();
            int deliveredInWindow = 0;
            int acceptedInWindow = 0;
            long lastArrival = 0;
            for (int i = 0; i < issued; i++) {
                int status = run.status[i];
                long arrival = run.arrival.get(i);
                boolean m = measured(i);
                if (arrival != 0) {
                    lastArrival = Math.max(lastArrival, arrival);
                    if (arrival >= tw && arrival < tend) {
                        deliveredInWindow++;
                    }
                }
                if (status == 202) {
                    okAll++;
                    acc.add(run.responded[i]);
                    offeredList.add(run.sched[i]);
                    if (arrival != 0) {
                        arrivedList.add(arrival);
                    }
                    if (run.responded[i] >= tw && run.responded[i] < tend) {
                        acceptedInWindow++;
                    }
                    if (arrival != 0) {
                        settled.add(Math.max(arrival, run.responded[i]));
                        String key = run.deliveredKey.get(i);
                        if (key == null || !key.equals(run.receipt[i])) {
                            keyMismatch++;
                        }
                    } else {
                        undeliveredAll++;
                    }
                } else if (arrival != 0) {
                    deliveredWithout202++;
                }
                if (!m) {
                    continue;
                }
                sentMeasured++;
                if (status != OVERFLOW) {
                    lag[nlag++] = run.sent[i] - run.sched[i];
                }
                if (status == 202) {
                    ok++;
                    intake[nintake++] = run.responded[i] - run.sched[i];
                    if (arrival != 0) {
                        e2e[ne2e++] = arrival - run.sched[i];
                    } else {
                        undeliveredMeasured++;
                    }
                } else if (status == OVERFLOW) {
                    overflow++;
                } else if (status == FAILED) {
                    failed++;
                } else {
                    otherStatus.merge(status, 1, Integer::sum);
                }
            }
            acceptedAt = acc.stream().mapToLong(Long::longValue).sorted().toArray();
            settledAt = settled.stream().mapToLong(Long::longValue).sorted().toArray();
            offeredAt = offeredList.stream().mapToLong(Long::longValue).sorted().toArray();
            arrivedAt = arrivedList.stream().mapToLong(Long::longValue).sorted().toArray();
            e2e = sorted(e2e, ne2e);
            intake = sorted(intake, nintake);
            lag = sorted(lag, nlag);

            out.put("mode", mode);
            out.put("run", run.id);
            out.put("offered_rps", mode.equals("max") ? "closed" + concurrency : fmt(rate, 1));
            out.put("duration_s", fmt(duration, 1));
            out.put("sent", Integer.toString(sentMeasured));
            out.put("ok_202", Integer.toString(ok));
            out.put("ok_rps", fmt(ok / duration, 1));
            out.put("accepted_in_window_rps", fmt(acceptedInWindow / duration, 1));
            out.put("delivery_rps", fmt(deliveredInWindow / duration, 1));
            out.put("delivery_ratio", acceptedInWindow == 0 ? "-" : fmt((double) deliveredInWindow / acceptedInWindow, 3));
            out.put("e2e_p50_ms", ms(pct(e2e, 0.50)));
            out.put("e2e_p90_ms", ms(pct(e2e, 0.90)));
            out.put("e2e_p99_ms", ms(pct(e2e, 0.99)));
            out.put("e2e_max_ms", ms(pct(e2e, 1.0)));
            out.put("intake_p50_ms", ms(pct(intake, 0.50)));
            out.put("intake_p99_ms", ms(pct(intake, 0.99)));
            out.put("intake_max_ms", ms(pct(intake, 1.0)));
            out.put("undelivered", Integer.toString(undeliveredMeasured));
            out.put("undelivered_all", Integer.toString(undeliveredAll));
            long[] pend = new long[4];
            long[] inflight = new long[4];
            for (int k = 0; k < 4; k++) {
                long t = tw + seconds(duration * (k + 1) / 4);
                pend[k] = pendingAt(t);
                inflight[k] = inHubAt(t);
            }
            out.put("pending_25", Long.toString(pend[0]));
            out.put("pending_50", Long.toString(pend[1]));
            out.put("pending_75", Long.toString(pend[2]));
            out.put("pending_100", Long.toString(pend[3]));
            double[] slope = slope(this::pendingAt);
            out.put("pending_max", Long.toString((long) slope[1]));
            out.put("backlog_slope_per_s", fmt(slope[0], 2));
            out.put("inflight_25", Long.toString(inflight[0]));
            out.put("inflight_50", Long.toString(inflight[1]));
            out.put("inflight_75", Long.toString(inflight[2]));
            out.put("inflight_100", Long.toString(inflight[3]));
            double[] inflightSlope = slope(this::inHubAt);
            out.put("inflight_max", Long.toString((long) inflightSlope[1]));
            out.put("inflight_slope_per_s", fmt(inflightSlope[0], 2));
            // Grows: a backlog's trend over the window rose by more than 2% of the offered rate per second (a deficit,
            // not jitter), and it ends higher than at the first quarter by more than 100 ms worth of traffic (and by more
            // than 10 messages). Either backlog counts: 202s not yet delivered (delivery falls behind), or requests sent
            // and not yet delivered (intake itself falls behind: no 202 yet).
            double offered = mode.equals("max") ? ok / Math.max(duration, 1e-9) : rate;
            double limit = Math.max(1.0, 0.02 * offered);
            double rise = Math.max(10, 0.1 * offered);
            boolean grows = slope[0] > limit && pend[3] - pend[0] > rise;
            boolean inflightGrows = inflightSlope[0] > limit && inflight[3] - inflight[0] > rise;
            out.put("backlog_grows", grows || inflightGrows ? "yes" : "no");
            out.put("backlog_growing", grows && inflightGrows ? "delivery+intake" : grows ? "delivery" : inflightGrows ? "intake" : "-");
            out.put("drain_ms", lastArrival == 0 ? "-" : ms(Math.max(0, lastArrival - tend)));
            out.put("hub_pending", hub.enabled ? hubPending() : "-");
            Cpu a = hub.cpu[0];
            Cpu b = hub.cpu[1];
            boolean cpuKnown = a != null && b != null;
            out.put("hub_cpu_pct", cpuKnown ? Cpu.processPct(a, b, true, clkTck) : "-");
            out.put("loadgen_cpu_pct", cpuKnown ? Cpu.processPct(a, b, false, clkTck) : "-");
            out.put("machine_busy_pct", cpuKnown ? Cpu.machinePct(a, b) : "-");
            out.put("loadgen_stall_max_ms", fmt(hiccups.maxMillis((int) ((tw - t0) / 1_000_000_000L), (int) Math.ceil((tend - t0) / 1e9)), 1));
            out.put("send_lag_p99_ms", ms(pct(lag, 0.99)));
            out.put("send_lag_max_ms", ms(pct(lag, 1.0)));
            out.put("errors", Integer.toString(failed));
            out.put("overflow", Integer.toString(overflow));
            out.put("status_other", otherStatus.isEmpty() ? "-" : join(otherStatus));
            out.put("failures", run.failures.isEmpty() ? "-" : join(new TreeMap<>(run.failures)));
            out.put("delivered_without_202", Integer.toString(deliveredWithout202));
            out.put("duplicates", Integer.toString(run.duplicates.get()));
            out.put("key_mismatch", Integer.toString(keyMismatch));
            out.put("foreign", Long.toString(foreignCount));
            out.put("total_issued", Integer.toString(issued));
            out.put("total_202", Integer.toString(okAll));
            return out;
        }

        String hubPending() {
            StringBuilder b = new StringBuilder();
            for (long p : hub.pending) {
                b.append(b.length() == 0 ? "" : "/").append(p < 0 ? "?" : Long.toString(p));
            }
            return b.toString();
        }

        /** 202s answered by t and not yet delivered (a delivery that beat its 202 back counts from the 202). */
        long pendingAt(long t) {
            return countUpTo(acceptedAt, t) - countUpTo(settledAt, t);
        }

        /** Requests (that got a 202) scheduled by t and not yet at the target: the partner's view of the backlog. */
        long inHubAt(long t) {
            return countUpTo(offeredAt, t) - countUpTo(arrivedAt, t);
        }

        /** Least-squares slope of a backlog over the window, sampled every 100 ms, and its maximum. */
        double[] slope(java.util.function.LongUnaryOperator backlogAt) {
            int n = 0;
            double sx = 0, sy = 0, sxx = 0, sxy = 0, max = 0;
            for (long t = tw; t <= tend; t += TimeUnit.MILLISECONDS.toNanos(100)) {
                double x = (t - tw) / 1e9;
                double y = backlogAt.applyAsLong(t);
                n++;
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
                max = Math.max(max, y);
            }
            double d = n * sxx - sx * sx;
            return new double[] {d == 0 ? 0 : (n * sxy - sx * sy) / d, max};
        }

        /** Per second since the first send: sent, 202s, deliveries, backlog at the end of the second, e2e p99 of that second's sends. */
        void writeTimeline(Path file) throws IOException {
            long end = Math.max(drained, stopped);
            int seconds = (int) ((end - t0) / 1_000_000_000L) + 1;
            int[] sent = new int[seconds];
            int[] ok = new int[seconds];
            int[] delivered = new int[seconds];
            List<List<Long>> lat = new ArrayList<>();
            for (int s = 0; s < seconds; s++) {
                lat.add(new ArrayList<>());
            }
            for (int i = 0; i < issued; i++) {
                int s = bucket(run.sched[i], seconds);
                if (s >= 0) {
                    sent[s]++;
                }
                if (run.status[i] == 202) {
                    int r = bucket(run.responded[i], seconds);
                    if (r >= 0) {
                        ok[r]++;
                    }
                    long a = run.arrival.get(i);
                    if (a != 0) {
                        int d = bucket(a, seconds);
                        if (d >= 0) {
                            delivered[d]++;
                        }
                        if (s >= 0) {
                            lat.get(s).add(a - run.sched[i]);
                        }
                    }
                }
            }
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
                w.println("second\tphase\tsent\tok_202\tdelivered\tpending_at_end\tinflight_at_end\te2e_p99_ms_of_sends\tloadgen_stall_ms");
                for (int s = 0; s < seconds; s++) {
                    long start = t0 + seconds(s);
                    long at = start + seconds(1);
                    String phase = start < tw ? "warmup" : start < tend ? "measure" : "drain";
                    long[] l = lat.get(s).stream().mapToLong(Long::longValue).sorted().toArray();
                    w.printf(Locale.ROOT, "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%.1f%n", s + 1, phase, sent[s], ok[s], delivered[s], pendingAt(at), inHubAt(at),
                            ms(pct(l, 0.99)), hiccups.maxMillis(s, s + 1));
                }
            }
        }

        int bucket(long t, int seconds) {
            if (t < t0) {
                return -1;
            }
            int s = (int) ((t - t0) / 1_000_000_000L);
            return s < seconds ? s : -1;
        }

        String human(Map<String, String> r) {
            return String.format(Locale.ROOT,
                    "%s %s: offered %s, 202 %s/s (%s of %s sent), delivered %s/s in the window (ratio %s); e2e p50 %s p90 %s p99 %s max %s ms; "
                            + "intake p50 %s p99 %s ms; 202s not delivered at 25/50/75/100%% %s/%s/%s/%s (slope %s/s), sent not delivered %s/%s/%s/%s "
                            + "(slope %s/s), grows: %s %s, hub %s; undelivered %s; "
                            + "errors %s, other status %s, send lag p99 %s ms; foreign %s, duplicates %s, key mismatches %s; "
                            + "CPU hub %s%% load generator %s%% machine %s%%; longest load-generator stall %s ms",
                    r.get("mode"), r.get("run"), r.get("offered_rps"), r.get("ok_rps"), r.get("ok_202"), r.get("sent"),
                    r.get("delivery_rps"), r.get("delivery_ratio"), r.get("e2e_p50_ms"), r.get("e2e_p90_ms"), r.get("e2e_p99_ms"),
                    r.get("e2e_max_ms"), r.get("intake_p50_ms"), r.get("intake_p99_ms"), r.get("pending_25"), r.get("pending_50"),
                    r.get("pending_75"), r.get("pending_100"), r.get("backlog_slope_per_s"), r.get("inflight_25"), r.get("inflight_50"),
                    r.get("inflight_75"), r.get("inflight_100"), r.get("inflight_slope_per_s"), r.get("backlog_grows"), r.get("backlog_growing"),
                    r.get("hub_pending"),
                    r.get("undelivered"), r.get("errors"), r.get("status_other"), r.get("send_lag_p99_ms"), r.get("foreign"),
                    r.get("duplicates"), r.get("key_mismatch"), r.get("hub_cpu_pct"), r.get("loadgen_cpu_pct"), r.get("machine_busy_pct"),
                    r.get("loadgen_stall_max_ms"));
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Small helpers
    // -----------------------------------------------------------------------------------------------------------

    static long seconds(double s) {
        return Math.round(s * 1e9);
    }

    static long[] sorted(long[] a, int n) {
        long[] c = Arrays.copyOf(a, n);
        Arrays.sort(c);
        return c;
    }

    /** Nearest-rank percentile of a sorted array; -1 when empty. */
    static long pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }

    /** How many elements of a sorted array are <= t. */
    static long countUpTo(long[] sorted, long t) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static String ms(long nanos) {
        return nanos < 0 ? "-" : fmt(nanos / 1e6, 2);
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static String join(Map<?, Integer> m) {
        StringBuilder b = new StringBuilder();
        m.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append(':').append(v));
        return b.toString();
    }

    static void log(String s) {
        System.err.printf("[%tT] %s%n", System.currentTimeMillis(), s);
    }

    static final class Opts {
        final String mode;
        final Map<String, String> values = new LinkedHashMap<>();

        Opts(String mode) {
            this.mode = mode;
        }

        static Opts parse(String[] argv) {
            if (argv.length == 0 || argv[0].startsWith("-")) {
                throw new IllegalArgumentException("usage: java bench/E2eLoad.java max|rate|sink --hub URL --api-key KEY --sink-port P "
                        + "[--rate R] [--concurrency N] [--duration S] [--warmup S] [--drain-timeout S] [--ops-key K] [--timeline FILE]");
            }
            Opts o = new Opts(argv[0]);
            for (int i = 1; i < argv.length; i++) {
                String a = argv[i];
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < argv.length) {
                    value = argv[++i];
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                o.values.put(name, value);
            }
            return o;
        }

        String string(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        String required(String name) {
            String v = values.get(name);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
            return v;
        }

        int integer(String name, int fallback) {
            return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
        }

        double number(String name, double fallback) {
            return values.containsKey(name) ? Double.parseDouble(values.get(name)) : fallback;
        }
    }
}
