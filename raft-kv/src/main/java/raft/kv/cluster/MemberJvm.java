package raft.kv.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which java runs the members, and with which options: env RAFTKV_NODE_JAVA (a java binary or a
 * JDK home) if set, else the newest JDK >= 25 under /usr/lib/jvm, else the launcher's own java.
 * The code is built for Java 17 (the oldest JDK the project supports, and the one most
 * machines have) and runs there with {@link #OPTS_17}; 25 is preferred where installed because
 * its members need less heap (compact object headers, {@link #OPTS_25}) and reach a leader
 * sooner (the AOT cache, {@link MemberAot}). A JDK's version comes from its {@code
 * release} file (JAVA_VERSION), so choosing one starts no process.
 */
record MemberJvm(Path java, Path home, Runtime.Version version) {
  static final String JAVA_ENV = "RAFTKV_NODE_JAVA";
  static final String OPTS_ENV = "RAFTKV_NODE_JVM_OPTS";
  static final Path JVM_DIR = Path.of("/usr/lib/jvm");
  /** A java without a release file: counted as old (the options every version accepts). */
  static final Runtime.Version UNKNOWN = Runtime.Version.parse("1");
  /** The first feature release with compact object headers as a product flag and the AOT cache. */
  static final int NEWER = 25;

  /**
   * Small, quick-starting JVMs, because five of them share a laptop (or two cores): a 256 MB
   * heap cap (the heap holds the whole store; a member that runs out of it exits at once and
   * says so in its log rather than limp on with a dead thread), the serial collector (no GC
   * threads), and C1 only (C2 saves CPU only after about a minute, with a worse p99 and 20-40 MB
   * more resident memory; the README gives the runs). A small heap that grows only as needed and gives back
   * what it does not use: -Xms16m, an 8 MB young generation, and free ratios of 10-30% after a
   * collection. Against -Xms128m -Xmn16m (two bench-levers runs, 3 members, put-64, Java 25):
   * members' CPU per 1000 puts 114 against 122 and 115 against 136 ms (the small young
   * generation stays in the caches), idle RSS 108 against 116 MB, 199 against 204 MB after
   * 100,000 puts, p99 no worse. The metaspace starts large enough that growing it costs no
   * full collection. RAFTKV_NODE_JVM_OPTS overrides.
   */
  static final String OPTS_17 = "-Xms16m -Xmx256m -Xmn8m -XX:MinHeapFreeRatio=10"
      + " -XX:MaxHeapFreeRatio=30 -XX:MetaspaceSize=64m -XX:+UseSerialGC"
      + " -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";

  /**
   * On 25: the same, plus compact object headers (8-byte instead of 12-byte headers, JEP 519, a
   * product flag since 25): after 100,000 puts a member's heap after a full GC held 62-67 MB
   * with them against 67-77 MB without, resident memory 180-190 MB against 189-192 (two rounds
   * each, load average 22-40). Still C1 only, measured again on 25 over 60-second put runs (64
   * clients, four runs each): C2 (full tiered, CICompilerCount 2, the default on 2 cores) cost
   * 188-324 ms of members' CPU per 1,000 puts over the last 40 s against 160-199 for C1, at
   * fewer ops/s (965-2,878 against 2,208-4,890): on two shared cores its compile threads still
   * cost more than its code saves within a minute. On a quieter machine (load average 3-6, two
   * 60-second rounds of 64 clients at a fixed 2,500 puts/s) C2 used 0.85x C1's CPU per put and
   * halved p50, but its p99 was 1.5 s against 170 ms and it took 130 against 108 MB resident at
   * idle, 258 against 217 MB after the minute. A second C1 thread (CICompilerCount=2)
   * changed nothing (185-188 ms), so the default (1) stays. {@link #options} adds {@link
   * #QUIET_25}.
   */
  static final String OPTS_25 = OPTS_17 + " -XX:+UseCompactObjectHeaders";

  /**
   * Java 25 warns on stderr (so in every member log) that protobuf calls sun.misc.Unsafe's
   * memory methods (JEP 471/498) and that Netty loads a native library (JEP 472). Both are the
   * libraries' business, not the operator's: allowed, and so silent. Added on 25 even to
   * RAFTKV_NODE_JVM_OPTS (unless they name the option), since they only permit what 17 does.
   */
  static final List<String> QUIET_25 = List.of("--enable-native-access=ALL-UNNAMED",
      "--sun-misc-unsafe-memory-access=allow");

  int feature() {
    return version.feature();
  }

  /** The members' java from the process environment, /usr/lib/jvm and this JVM. */
  static MemberJvm choose() {
    return choose(System.getenv(), JVM_DIR, Path.of(System.getProperty("java.home")));
  }

  static MemberJvm choose(Map<String, String> env, Path jvmDir, Path ownHome) {
    String given = env.getOrDefault(JAVA_ENV, "").trim();
    if (!given.isEmpty()) {
      return of(Path.of(given)).orElseThrow(() -> new raft.kv.client.Clients.Failure(JAVA_ENV
          + "=" + given + " is neither a java binary nor a JDK home (bin/java)"));
    }
    return newest(jvmDir).filter(j -> j.feature() >= NEWER)
        .or(() -> of(ownHome))
        .orElseGet(() -> new MemberJvm(ownHome.resolve("bin/java"), ownHome, Runtime.version()));
  }

  /** The JDK with the highest JAVA_VERSION directly under dir, if any. */
  static Optional<MemberJvm> newest(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(dir)) {
      return homes.sorted().map(MemberJvm::ofHome).flatMap(Optional::stream)
          .max(Comparator.comparing(MemberJvm::version));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A java binary (bin/java of a JDK, symlinks followed) or a JDK home. */
  static Optional<MemberJvm> of(Path javaOrHome) {
    if (Files.isDirectory(javaOrHome)) {
      return ofHome(javaOrHome);
    }
    if (!Files.isExecutable(javaOrHome)) {
      return Optional.empty();
    }
    try {
      Path home = javaOrHome.toRealPath().getParent().getParent();
      return Optional.of(new MemberJvm(javaOrHome, home,
          releaseVersion(home).orElse(UNKNOWN)));
    } catch (IOException | NullPointerException e) {
      return Optional.of(new MemberJvm(javaOrHome, javaOrHome, UNKNOWN));
    }
  }

  static Optional<MemberJvm> ofHome(Path home) {
    Path java = home.resolve("bin/java");
    if (!Files.isExecutable(java)) {
      return Optional.empty();
    }
    return releaseVersion(home).map(v -> new MemberJvm(java, home, v));
  }

  /** JAVA_VERSION="25.0.3" in home/release; "1.8.0_392" reads as 8 (trailing .0s dropped). */
  static Optional<Runtime.Version> releaseVersion(Path home) {
    try (Stream<String> lines = Files.lines(home.resolve("release"))) {
      return lines.filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
          .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "").trim())
          .map(v -> v.startsWith("1.") ? v.substring(2) : v)
          .map(v -> v.replaceAll("[^0-9.].*$", "").replaceAll("(\\.0)+$", ""))
          .flatMap(MemberJvm::parse);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
  }

  private static Optional<Runtime.Version> parse(String v) {
    try {
      return Optional.of(Runtime.Version.parse(v));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The options for this java by its feature version (unknown counts as old). */
  String defaultOpts() {
    return feature() >= NEWER ? OPTS_25 : OPTS_17;
  }

  /** RAFTKV_NODE_JVM_OPTS if set (plus {@link #QUIET_25} on 25), else {@link #defaultOpts}. */
  List<String> options(Map<String, String> env) {
    String given = env.get(OPTS_ENV);
    List<String> opts = words(given != null ? given : defaultOpts());
    if (feature() >= NEWER) {
      for (String q : QUIET_25) {
        String name = q.substring(0, q.indexOf('='));
        if (opts.stream().noneMatch(o -> o.startsWith(name))) {
          opts.add(q);
        }
      }
    }
    return opts;
  }

  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    for (String w : s.trim().split("\\s+")) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return out;
  }
}
