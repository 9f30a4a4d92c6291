package raft.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian chromium driven through Debian's chromedriver (scripts/install-chromium
 * installs both), for the view tests. The machine may be offline: the driver's path is given
 * explicitly (service and the webdriver.chrome.driver property), so Selenium Manager, which
 * would otherwise look for or download a browser and a driver, never runs; the browser's own
 * background traffic (updates, sync, QUIC) is switched off.
 */
public final class Chromium implements AutoCloseable {
  public static final Path BROWSER = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Same as raft.process.LocalCluster: the tests run in raft-tests, the repository is above. */
  public static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  public static final Path SCREENSHOTS = REPO.resolve("reports").resolve("view");

  private final Path profile;
  private final ChromeDriver driver;

  public Chromium() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException(BROWSER + " or " + DRIVER
          + " is missing: run scripts/install-chromium (scripts/test does)");
    }
    System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, DRIVER.toString());
    try {
      profile = Files.createTempDirectory("raft-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .build();
    try {
      driver = new ChromeDriver(service, options(profile));
    } catch (RuntimeException e) {
      deleteTree(profile);
      throw e;
    }
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
  }

  private static ChromeOptions options(Path profile) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", "--user-data-dir=" + profile);
    // The browser console (console.error, uncaught exceptions) for consoleErrors().
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    return options;
  }

  public WebDriver driver() {
    return driver;
  }

  public void open(String url) {
    driver.get(url);
  }

  /** Waits at most {@code limit} for {@code condition}; fails with {@code what} if it never held. */
  public void waitFor(Duration limit, String what, Supplier<Boolean> condition) {
    try {
      new WebDriverWait(driver, limit, Duration.ofMillis(100))
          .withMessage(what)
          .until(d -> condition.get());
    } catch (WebDriverException e) {
      throw new AssertionError("waited " + limit + " for " + what, e);
    }
  }

  public void waitFor(Duration limit, Supplier<Boolean> condition) {
    waitFor(limit, "the condition", condition);
  }

  /** Saves a PNG of the window as reports/view/NAME.png in the repository; returns its path. */
  public Path screenshot(String name) {
    Path file = SCREENSHOTS.resolve(name + ".png");
    try {
      Files.createDirectories(SCREENSHOTS);
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * The SEVERE entries of the browser console since the previous call (chromedriver hands each
   * entry out once): console.error calls, uncaught exceptions, failed loads.
   */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::toString)
        .toList();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
