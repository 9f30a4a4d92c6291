package raft.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The real browser works here: it loads a page, runs its script, reports its console errors. */
class ChromiumTest {
  private static final String PAGE = "<!doctype html><html><body>"
      + "<button id=b onclick=\"document.getElementById('out').textContent='clicked'\">go</button>"
      + "<p id=out>waiting</p>"
      + "<button id=bad onclick=\"console.error('deliberate failure')\">bad</button>"
      + "</body></html>";

  @Test
  void clicksReadsTheDomScreenshotsAndReportsConsoleErrors() throws Exception {
    try (Chromium chromium = new Chromium()) {
      chromium.open("data:text/html;charset=utf-8,"
          + URLEncoder.encode(PAGE, StandardCharsets.UTF_8).replace("+", "%20"));
      var driver = chromium.driver();
      assertEquals("waiting", driver.findElement(By.id("out")).getText());
      assertTrue(chromium.consoleErrors().isEmpty(), "a clean page has no console errors");

      driver.findElement(By.id("b")).click();
      chromium.waitFor(Duration.ofSeconds(20), "the click's text",
          () -> driver.findElement(By.id("out")).getText().equals("clicked"));

      Path shot = chromium.screenshot("chromium-test");
      byte[] png = Files.readAllBytes(shot);
      assertTrue(png.length > 100 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G',
          "a PNG at " + shot);

      driver.findElement(By.id("bad")).click();
      // Each entry is handed out once and may arrive a little after the click: gather them.
      List<String> errors = new ArrayList<>();
      chromium.waitFor(Duration.ofSeconds(20), "console.error reported by consoleErrors()", () -> {
        errors.addAll(chromium.consoleErrors());
        return errors.stream().anyMatch(e -> e.contains("deliberate failure"));
      });
    }
  }
}
