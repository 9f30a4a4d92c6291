package raft.sim.replay;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import raft.kv.cluster.ViewFrame;

/**
 * Writes one self-contained HTML file that replays a simulator run with the live cluster
 * view's own drawing code (raft-kv's raft/kv/view/view.css and view.js, inlined from the
 * classpath), a small player (player.js) and the recorded frames as JSON. It opens from disk,
 * with no server and nothing fetched.
 */
public final class ReplayPage {
  /** The view's files a page needs besides its data (view.js's header lists them). */
  static final List<String> VIEW_CSS = List.of("raft/kv/view/view.css",
      "raft/sim/replay/player.css");
  static final List<String> VIEW_JS = List.of("raft/kv/view/view.js",
      "raft/sim/replay/player.js");

  private ReplayPage() {}

  /** What player.js reads (a record: its fields come out in this order, every time). */
  private record Data(String title, String summary, List<ViewFrame> frames) {}

  /** The page: {@code title} and {@code summary} head it; the player steps through frames. */
  public static String html(String title, String summary, List<ViewFrame> frames) {
    // Gson escapes <, > and & in strings, so no "</script>" can end the data block early.
    String data = new Gson().toJson(new Data(title, summary, frames));
    StringBuilder b = new StringBuilder();
    b.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>raftkv simulator replay</title>\n");
    for (String css : VIEW_CSS) {
      b.append("<style>\n").append(inline(css, "</style")).append("</style>\n");
    }
    b.append("</head>\n<body>\n<div id=\"rp-player\"></div>\n<div id=\"raft-view\"></div>\n")
        .append("<script type=\"application/json\" id=\"rp-data\">").append(data)
        .append("</script>\n");
    for (String js : VIEW_JS) {
      b.append("<script>\n").append(inline(js, "</script")).append("</script>\n");
    }
    return b.append("</body>\n</html>\n").toString();
  }

  /** The frames as the page embeds them (JSON, in the schema's field names). */
  public static String json(List<ViewFrame> frames) {
    return new Gson().toJson(frames);
  }

  public static void write(Path out, String title, String summary, List<ViewFrame> frames) {
    try {
      Path dir = out.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Files.writeString(out, html(title, summary, frames), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A resource's text, refused if it holds the tag that would end its element early. */
  private static String inline(String resource, String closingTag) {
    String text = resource(resource);
    if (text.toLowerCase(Locale.ROOT).contains(closingTag)) {
      throw new IllegalStateException(resource + " contains " + closingTag
          + ": it cannot be inlined");
    }
    return text.endsWith("\n") ? text : text + "\n";
  }

  static String resource(String name) {
    try (InputStream in = ReplayPage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the classpath (raft-kv's view)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
