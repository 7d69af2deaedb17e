package io.kck.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.ServerBinding;
import io.kck.Kck;
import io.kck.primer.Parameter;
import io.kck.primer.Primer;
import io.kck.testing.Stages;
import io.kck.testing.TestNodes;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The page, loaded in a real headless browser (Debian's chromium, which .ci/run installs): it
 * lists the live keys and draws their dependency graph. Skipped, and says so, without a browser.
 */
class PageTest {
  static final Parameter<String> ID = Parameter.ofString("id");

  @Test
  void thePageDrawsTheGraphOfTheLiveKeys() throws Exception {
    String browser = findBrowser();
    if (browser == null) {
      System.out.println("PageTest SKIPPED: no chromium on this machine (apt-get install chromium);"
          + " the page was not checked in a browser");
    }
    Assumptions.assumeTrue(browser != null, "no chromium installed: the page test is skipped");

    Primer<String> imports = Primer.builder("page-import", String.class).parameters(ID)
        .compute((key, context) -> "sales of " + key.get(ID)).build();
    Primer<Integer> totals = Primer.builder("page-total", Integer.class).parameters(ID)
        .compute((key, context) -> context.get(imports.key(key.get(ID) + "-a")).length()
            + context.get(imports.key(key.get(ID) + "-b")).length())
        .build();
    ActorTestKit testKit = TestNodes.start("PageTest", TestNodes.config("akka.actor.testkit.typed.system-shutdown-default = 30s"));
    try {
      Kck kck = Kck.start(testKit.system(), imports, totals);
      Stages.await(kck.get(totals.key("store1")));
      ServerBinding binding = Stages.await(KckHttp.start(kck, "127.0.0.1", 0));
      String url = "http://127.0.0.1:" + binding.localAddress().getPort() + "/";
      Stages.await(kck.get(totals.key("store2"))); // computes count from here on; gets from KCK's start

      String dom = run(browser, "--dump-dom", url);
      assertTrue(dom.contains("data-key=\"page-total/store1\""), dom);
      assertTrue(dom.contains("data-key=\"page-import/store1-a\""), dom);
      assertTrue(dom.contains("class=\"edge\" data-from=\"page-import/store1-a\" data-to=\"page-total/store1\""), dom);
      assertTrue(dom.contains("data-status=\"fresh\""), dom);
      assertTrue(dom.contains("keys 1–6 of 6"), "the page of live keys: " + dom);

      // The operations view: per-primer figures, recent changes, and a searched key with its neighbours.
      assertTrue(dom.contains("<tr data-primer=\"page-total\"><td>page-total</td><td class=\"num\">2</td>"), dom);
      assertTrue(dom.contains("class=\"change\" data-key=\"page-total/store2\""), dom);
      String searched = run(browser, "--dump-dom", url + "#key=page-import/store1-a");
      assertTrue(searched.contains("page-import/store1-a: reads 0, read by 1"), searched);
      assertTrue(searched.matches("(?s).*<svg id=\"around\".*data-key=\"page-total/store1\".*</svg>.*"), searched);

      Path screenshot = Path.of("target/kck-page.png").toAbsolutePath();
      Files.deleteIfExists(screenshot);
      run(browser, "--screenshot=" + screenshot, "--window-size=1200,900", url + "#key=page-import/store1-a");
      assertTrue(Files.size(screenshot) > 1000, "screenshot " + screenshot);
      System.out.println("PageTest: screenshot of the page saved to " + screenshot);
    } finally {
      testKit.shutdownTestKit();
    }
  }

  private static String run(String browser, String action, String... more) throws Exception {
    List<String> command = new ArrayList<>(List.of(browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--virtual-time-budget=5000", action));
    command.addAll(List.of(more));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the browser did not finish");
    assertEquals(0, process.exitValue(), "browser exit code");
    return new String(output, StandardCharsets.UTF_8);
  }

  private static String findBrowser() {
    for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (new File(candidate).canExecute()) {
        return candidate;
      }
    }
    return null;
  }
}
