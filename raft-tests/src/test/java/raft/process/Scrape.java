package raft.process;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a /metrics page in Prometheus's text format (0.0.4), parsed enough to check
 * names, types, label names and values: etcd's own page and ours go through the same parser.
 */
record Scrape(Map<String, String> types, List<Sample> samples) {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  /** An HTTP answer: status and body. */
  record Answer(int status, String body) {}

  static Answer get(String url) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body());
  }

  static Scrape of(String metricsUrl) throws Exception {
    Answer a = get(metricsUrl + "/metrics");
    if (a.status() != 200) {
      throw new AssertionError(metricsUrl + "/metrics answered " + a);
    }
    return parse(a.body());
  }

  static Scrape parse(String text) {
    Map<String, String> types = new LinkedHashMap<>();
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        types.put(p[2], p[3]);
      } else if (!line.startsWith("#") && !line.isBlank()) {
        Matcher m = SAMPLE.matcher(line);
        if (m.matches()) {
          Map<String, String> labels = new HashMap<>();
          Matcher l = LABEL.matcher(m.group(3) == null ? "" : m.group(3));
          while (l.find()) {
            labels.put(l.group(1), l.group(2));
          }
          samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
      }
    }
    return new Scrape(types, samples);
  }

  /** The sum of the samples named {@code name} whose labels include {@code labels}. */
  double sum(String name, Map<String, String> labels) {
    return samples.stream().filter(s -> s.name().equals(name)
        && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value).sum();
  }

  /**
   * The value of {@code name} (summed over its labels); fails if no sample has that name, so
   * that a metric that went missing does not read as 0 (has_leader 0 is what a test awaits).
   */
  double value(String name) {
    if (samples.stream().noneMatch(s -> s.name().equals(name))) {
      throw new AssertionError("no sample named " + name);
    }
    return sum(name, Map.of());
  }

  /** The label names a family's samples carry (a histogram's "le" left out). */
  Set<String> labelNames(String family) {
    Set<String> names = new TreeSet<>();
    for (Sample s : samples) {
      if (s.name().equals(family) || s.name().equals(family + "_bucket")
          || s.name().equals(family + "_count") || s.name().equals(family + "_sum")) {
        names.addAll(s.labels().keySet());
      }
    }
    names.remove("le");
    return names;
  }

  /** Histogram bucket bounds of a family ("le" values, +Inf included), in order of appearance. */
  List<String> buckets(String family) {
    List<String> les = new ArrayList<>();
    for (Sample s : samples) {
      if (s.name().equals(family + "_bucket") && !les.contains(s.labels().get("le"))) {
        les.add(s.labels().get("le"));
      }
    }
    return les;
  }
}
