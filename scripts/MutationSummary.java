import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summarises PIT's mutations.xml for scripts/mutation: mutants and the share killed, overall and
 * per package, then every survivor (class.method line: what PIT changed). Survivors listed in the
 * equivalent-mutant file (one "- class.method: description" or "- class.method line N:
 * description" per line, the reason after " — ")
 * are marked as such and counted apart, so the score "killed or equivalent" can be read too.
 *
 * <p>Run by the JDK's source launcher, so that the script needs nothing but Java:
 * {@code java scripts/MutationSummary.java reports/mutation/mutations.xml scripts/mutation-equivalent.md}
 */
public final class MutationSummary {
  private static final Pattern MUTATION = Pattern.compile(
      "<mutation detected='(true|false)' status='(\\w+)'.*?</mutation>", Pattern.DOTALL);

  record Mutant(boolean detected, String status, String clazz, String method, int line,
      String description) {
    String pkg() {
      return clazz.substring(0, clazz.lastIndexOf('.'));
    }

    String key() {
      return clazz + "." + method + ": " + description;
    }

    String keyWithLine() {
      return clazz + "." + method + " line " + line + ": " + description;
    }
  }

  public static void main(String[] args) throws Exception {
    String xml = Files.readString(Path.of(args[0]));
    List<String> equivalent = args.length > 1 && Files.exists(Path.of(args[1]))
        ? equivalentKeys(Files.readAllLines(Path.of(args[1]))) : List.of();
    List<Mutant> all = new ArrayList<>();
    Matcher m = MUTATION.matcher(xml);
    while (m.find()) {
      String body = m.group();
      all.add(new Mutant(m.group(1).equals("true"), m.group(2), tag(body, "mutatedClass"),
          unescape(tag(body, "mutatedMethod")), Integer.parseInt(tag(body, "lineNumber")),
          unescape(tag(body, "description"))));
    }
    Map<String, int[]> perPackage = new TreeMap<>();
    int killed = 0;
    int equiv = 0;
    List<String> survivors = new ArrayList<>();
    for (Mutant x : all) {
      int[] c = perPackage.computeIfAbsent(x.pkg(), k -> new int[2]);
      c[0]++;
      if (x.detected()) {
        c[1]++;
        killed++;
        continue;
      }
      boolean isEquivalent = equivalent.contains(x.key()) || equivalent.contains(x.keyWithLine());
      if (isEquivalent) {
        equiv++;
      }
      survivors.add(String.format("  %-8s %s.%s line %d: %s%s", x.status(), x.clazz(), x.method(),
          x.line(), x.description(), isEquivalent ? "  [equivalent]" : ""));
    }
    System.out.printf("mutants %d, killed %d (%.1f%%), survived %d, of which listed equivalent %d;"
            + " killed or equivalent %.1f%%%n", all.size(), killed, pct(killed, all.size()),
        all.size() - killed, equiv, pct(killed + equiv, all.size()));
    perPackage.forEach((p, c) -> System.out.printf("  %-14s %4d mutants, %4d killed (%.1f%%)%n",
        p, c[0], c[1], pct(c[1], c[0])));
    System.out.println("survivors (status, where, what):");
    survivors.forEach(System.out::println);
  }

  private static List<String> equivalentKeys(List<String> lines) {
    List<String> keys = new ArrayList<>();
    for (String l : lines) {
      if (l.startsWith("- ") && l.contains(" — ")) {
        keys.add(l.substring(2, l.indexOf(" — ")).replace("`", "").trim());
      }
    }
    return keys;
  }

  private static double pct(int part, int whole) {
    return whole == 0 ? 100.0 : 100.0 * part / whole;
  }

  private static String tag(String body, String name) {
    int from = body.indexOf("<" + name + ">") + name.length() + 2;
    return body.substring(from, body.indexOf("</" + name + ">", from));
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&apos;", "'").replace("&amp;", "&");
  }
}
