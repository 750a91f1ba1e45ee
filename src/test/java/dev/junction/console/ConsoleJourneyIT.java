package dev.junction.console;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.junction.support.HubClient;
import dev.junction.support.HubProcess;
import dev.junction.support.Keys;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The on-call journey in a real browser (Debian's headless Chromium) against the packaged hub: a partner's target
 * answers 500, its messages go dead; ops sign in, see the partner on top of the overview, find the dead letter by
 * receipt id, read the last error, fix the target, replay and watch it become {@code delivered}; discard needs a
 * reason; a read key sees but cannot act (and the API's 403 is shown should it try); bulk replay shows the dry-run
 * count before anything is replayed; a payload and a header holding markup render as text; a sync job is paused and
 * resumed; and the browser logs no script error or CSP violation. One hub, one browser.
 * The screenshots of the overview and a dead letter are taken on the way (docs/*.png, shown in the README, with
 * -Djunction.screenshots=docs; else under target/screenshots).
 */
class ConsoleJourneyIT {

    private static final String PARCELHUB = "parcelhub-key-1";
    private static final String CALMCO = "calmco-key-1";
    private static final String IMG = "<img src=x onerror=alert(1)>";
    private static final String SCRIPT_END = "</script><script>alert(2)</script>";

    @TempDir
    static Path data;

    private static final WireMockServer target = new WireMockServer(options().dynamicPort());
    private static HubProcess hub;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() {
        target.start();
        target.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(500).withBody("upstream exploded")));
        target.stubFor(post(urlPathEqualTo("/calm")).willReturn(aResponse().withStatus(200)));
        target.stubFor(get(urlPathEqualTo("/parcels")).willReturn(aResponse().withStatus(503).withBody("parcel feed down for maintenance")));
        hub = HubProcess.start(data, Map.of(
                "JUNCTION_CONNECTORS_DIR", "src/test/resources/console/connectors",
                "JUNCTION_ROUTES_DIR", "src/test/resources/console/routes",
                "PARCELHUB_URL", target.baseUrl(),
                "JUNCTION_DELIVERY_POLL_INTERVAL", "200ms",
                "JUNCTION_OPS_KEYS_0_ID", "reader",
                "JUNCTION_OPS_KEYS_0_SHA256", Keys.sha256(Keys.OPS_READ),
                "JUNCTION_OPS_KEYS_0_ROLE", "read"));
        browser = chromium();
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (hub != null) {
            hub.close();
        }
        target.stop();
    }

    private static WebDriver chromium() {
        String binary = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalStateException("No chromium: apt-get install -y chromium chromium-driver (see .ci/run)"));
        File driver = new File("/usr/bin/chromedriver");
        if (!driver.canExecute()) {
            throw new IllegalStateException("No chromedriver: apt-get install -y chromium-driver (see .ci/run)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.setBinary(binary);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1440,1000", "--force-device-scale-factor=1");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver).build(), options);
    }

    @Test
    void onCallFindsUnderstandsAndFixesAPartnersFailureInTheConsole() throws Exception {
        String journey = send("{\"orderId\":\"A-1001\",\"lines\":[{\"sku\":\"BOX-S\",\"qty\":2}]}", Map.of());
        String hostile = send("{\"orderId\":\"X-1\",\"note\":\"" + IMG + "\"}", Map.of("X-Note", SCRIPT_END));
        String unwanted = send("{\"orderId\":\"A-1002\"}", Map.of());
        String later = send("{\"orderId\":\"A-1003\"}", Map.of());
        String readOnly = send("{\"orderId\":\"A-1004\"}", Map.of());
        HubClient.Res calm = hub.client().postJson("/webhooks/calmco/ping", "{\"n\":1}", "X-API-Key", CALMCO,
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(calm.status()).as(calm.toString()).isEqualTo(202);
        for (String id : List.of(journey, hostile, unwanted, later, readOnly)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> "dead".equals(status(id)));
        }

        // Sign in: the key goes to sessionStorage, never into the URL or a cookie.
        browser.get(hub.client().base() + "/console");
        signIn(Keys.OPS);
        assertThat(text(By.id("who-role"))).isEqualTo("admin");
        assertThat(browser.getCurrentUrl()).doesNotContain(Keys.OPS);
        assertThat(browser.manage().getCookies()).isEmpty();
        assertThat(js("return sessionStorage.getItem('junction.opsKey')")).isEqualTo(Keys.OPS);

        // Overview: what is wrong comes first.
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("attention"), "parcelhub"));
        assertThat(text(By.id("attention"))).contains("5 dead letters");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("attention"), "sync job parcels failing"));
        assertThat(text(By.id("attention"))).contains("503");
        List<WebElement> rows = browser.findElements(By.cssSelector("tr.partner-row"));
        assertThat(rows.get(0).getText()).contains("parcelhub");
        assertThat(rows.get(0).getDomAttribute("class")).contains("bad");
        assertThat(rows.get(rows.size() - 1).getText()).contains("calmco");
        screenshot("docs/console-overview.png");

        // Find the dead letter by receipt id and read its last error.
        browser.findElement(By.cssSelector("#nav a[data-view=dead-letters]")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("search-receipt"))).sendKeys(journey);
        browser.findElement(By.id("search-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "dead"));
        assertThat(text(By.id("message-receipt"))).isEqualTo(journey);
        assertThat(text(By.id("last-error"))).contains("500");
        assertThat(browser.findElements(By.cssSelector("#timeline li"))).hasSize(2);
        assertThat(text(By.id("payload"))).contains("\"orderId\": \"A-1001\"");
        screenshot("docs/console-dead-letter.png");

        // Fix the target, replay, and see it delivered (same receipt id, a third call with its Idempotency-Key).
        target.stubFor(post(urlPathEqualTo("/orders")).willReturn(aResponse().withStatus(200)));
        browser.findElement(By.id("replay")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "delivered"));
        assertThat(status(journey)).isEqualTo("delivered");
        assertThat(target.findAll(postRequestedFor(urlPathEqualTo("/orders")).withHeader("Idempotency-Key", equalTo(journey)))).hasSize(3);
        wait.until(d -> d.findElements(By.cssSelector("#timeline li")).size() == 3);
        assertThat(text(By.cssSelector("#timeline li:last-child"))).contains("Replay 1, attempt 1", "delivered");
        assertThat(text(By.id("message-audit"))).contains("env", "replay");

        // Hostile text renders as text: no element is made of it, no script runs.
        js("window.__alerts = 0; window.alert = function () { window.__alerts++; };");
        openByReceipt(hostile);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "dead"));
        assertThat(text(By.id("payload"))).contains("\"note\": \"" + IMG + "\"");
        assertThat(browser.findElements(By.cssSelector("#message img"))).isEmpty();
        assertThat(js("return document.images.length")).isEqualTo(0L);
        assertThat(js("return document.scripts.length")).as("only the console's own module").isEqualTo(1L);
        assertThat(browser.findElements(By.cssSelector(".header-value")).stream().map(WebElement::getText))
                .contains(SCRIPT_END);
        assertThat(js("return window.__alerts")).isEqualTo(0L);
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

        // Discard needs a reason: the button waits for one; the reason goes to the audit trail.
        openByReceipt(unwanted);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "dead"));
        WebElement discard = browser.findElement(By.id("discard"));
        assertThat(discard.isEnabled()).isFalse();
        browser.findElement(By.id("discard-reason")).sendKeys("   ");
        assertThat(discard.isEnabled()).as("blank is no reason").isFalse();
        browser.findElement(By.id("discard-reason")).sendKeys("customer cancelled A-1002 by phone");
        assertThat(discard.isEnabled()).isTrue();
        discard.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "discarded"));
        JsonNode audit = hub.client().get("/ops/audit?receiptId=" + unwanted, "X-API-Key", Keys.OPS).json();
        assertThat(audit.get(0).path("action").asText()).isEqualTo("discard");
        assertThat(audit.get(0).path("reason").asText()).isEqualTo("customer cancelled A-1002 by phone");

        // A read key sees everything, acts on nothing, and is told why.
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ops-key")));
        assertThat(js("return sessionStorage.getItem('junction.opsKey')")).isNull();
        signIn(Keys.OPS_READ);
        assertThat(text(By.id("who-role"))).isEqualTo("read");
        openByReceipt(readOnly);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "dead"));
        assertThat(browser.findElement(By.id("replay")).isEnabled()).isFalse();
        assertThat(browser.findElement(By.id("discard")).isEnabled()).isFalse();
        assertThat(text(By.cssSelector(".read-only"))).contains("read role: actions need admin");
        // Tried anyway (the button forced on): the API refuses and the page says why; nothing changed.
        js("document.getElementById('replay').disabled = false; document.getElementById('replay').click();");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("notice"), "403"));
        assertThat(text(By.id("notice"))).contains("'reader'", "needs the role admin");
        assertThat(status(readOnly)).isEqualTo("dead");
        assertThat(hub.client().get("/ops/audit?receiptId=" + readOnly, "X-API-Key", Keys.OPS).json()).isEmpty();
        browser.findElement(By.cssSelector("#nav a[data-view=dead-letters]")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("bulk-replay"))).isEnabled()).isFalse();
        browser.findElement(By.cssSelector("#nav a[data-view=agents]")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pause-parcelhub-parcels"))).isEnabled()).isFalse();

        // Bulk replay: the dry-run count first, nothing replayed until confirmed.
        browser.findElement(By.id("sign-out")).click();
        signIn(Keys.OPS);
        browser.get(hub.client().base() + "/console/#/dead-letters?partner=parcelhub");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("bulk-replay"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("bulk-count"), "3 dead letters match"));
        assertThat(List.of(status(hostile), status(later), status(readOnly))).containsOnly("dead");
        assertThat(text(By.id("bulk-confirm"))).isEqualTo("Replay 3");
        browser.findElement(By.id("bulk-confirm")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("bulk-result"), "Replayed 3 of 3"));
        for (String id : List.of(hostile, later, readOnly)) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> "delivered".equals(status(id)));
        }

        // The sync job: paused and resumed from its row (its source answers 503, so it is failing meanwhile).
        browser.findElement(By.cssSelector("#nav a[data-view=agents]")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("pause-parcelhub-parcels"))).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("resume-parcelhub-parcels")));
        assertThat(text(By.cssSelector("tr.job-row"))).contains("parcelhub/parcels", "paused");
        browser.findElement(By.id("resume-parcelhub-parcels")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("pause-parcelhub-parcels")));
        assertThat(hub.client().get("/ops/sync-jobs/parcelhub/parcels", "X-API-Key", Keys.OPS).json().path("state").asText())
                .isNotEqualTo("paused");

        // The receipt lookup and the audit trail tell the same story.
        browser.findElement(By.cssSelector("#nav a[data-view=receipts]")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("receipt-id"))).sendKeys(later);
        browser.findElement(By.id("receipt-lookup")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-status"), "delivered"));
        browser.findElement(By.cssSelector("#nav a[data-view=audit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr.audit-row")));
        String trail = text(By.id("view"));
        assertThat(trail).contains("bulk replay", "customer cancelled A-1002 by phone", journey, "sync-pause", "sync-resume");

        // Nothing broke on the way: no script error and no Content-Security-Policy violation in the browser's console
        // (the refused requests of the read key's forced action and the 404 look-ups are network lines, not errors).
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
        assertThat(errors).isEmpty();
    }

    private static String send(String json, Map<String, String> headers) {
        List<String> pairs = new java.util.ArrayList<>(List.of("X-API-Key", PARCELHUB, "Idempotency-Key", UUID.randomUUID().toString()));
        headers.forEach((k, v) -> pairs.addAll(List.of(k, v)));
        HubClient.Res res = hub.client().postJson("/webhooks/parcelhub/order-created", json, pairs.toArray(String[]::new));
        assertThat(res.status()).as(res.toString()).isEqualTo(202);
        return res.json().path("receiptId").asText();
    }

    private static String status(String receiptId) {
        return hub.client().get("/ops/dead-letters/" + receiptId, "X-API-Key", Keys.OPS).json().path("status").asText();
    }

    private static void signIn(String key) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("ops-key")));
        input.sendKeys(key);
        browser.findElement(By.id("sign-in-button")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("who-role")));
    }

    /** Through the dead-letter search box: a hash change, so the page (and a test's window.alert spy) stays. */
    private static void openByReceipt(String receiptId) {
        browser.findElement(By.cssSelector("#nav a[data-view=dead-letters]")).click();
        WebElement search = wait.until(ExpectedConditions.elementToBeClickable(By.id("search-receipt")));
        search.sendKeys(receiptId);
        browser.findElement(By.id("search-button")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("message-receipt"), receiptId));
    }

    private static String text(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by)).getText();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /**
     * Into target/screenshots on every run; into docs/ (the README's images) only with {@code -Djunction.screenshots=docs},
     * so that a build does not rewrite committed files: {@code ./mvnw verify -Djunction.screenshots=docs}.
     */
    private static void screenshot(String path) throws Exception {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Path file = "docs".equals(System.getProperty("junction.screenshots"))
                ? Path.of(path) : Path.of("target", "screenshots").resolve(Path.of(path).getFileName());
        Files.createDirectories(file.getParent());
        Files.write(file, png);
    }
}
