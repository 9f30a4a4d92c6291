package raft.kv.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The members' AOT cache (JDK 25's JEP 483/514/515: classes loaded and linked, method profiles,
 * made by a training run, {@link MemberAotTraining}), kept next to the jar. A cache is only
 * valid for the JVM build and the options it was made with (a cache made without
 * --enable-native-access or with other object headers is refused with [error][aot] lines in
 * the member's log), so its file name carries a hash of both: each set of options gets its own
 * cache, made once. It is stale when older than the jar. RAFTKV_NODE_AOT=off disables it.
 * Figures (3 members, load average 22-40): start to leader 3.7-4.9 s with the cache against
 * 6.8-8.4 s without; idle resident memory about 5 MB more per member (pages of the 56 MB
 * cache file, shared through the page cache: anonymous memory 87-99 MB against 84-100).
 * A corrupt cache only costs the member five [aot] lines in its log: Java then starts without.
 */
record MemberAot(Path file, String fingerprint) {
  static final String AOT_ENV = "RAFTKV_NODE_AOT";

  /** The cache for members run by jvm with opts (without any cache flag) from jar. */
  static MemberAot of(Path jar, MemberJvm jvm, List<String> opts) {
    String fingerprint = "java " + jvm.java().toAbsolutePath() + " " + jvm.version() + "\n"
        + "home " + jvm.home().toAbsolutePath() + " " + releaseStamp(jvm.home()) + "\n"
        + "opts " + String.join(" ", opts) + "\n";
    String hash = String.format("%08x", fingerprint.hashCode());
    return new MemberAot(jar.resolveSibling("raftkv-member-" + hash + ".aot"), fingerprint);
  }

  /**
   * Whether members may use a cache at all: Java >= 25, not RAFTKV_NODE_AOT=off, and the options
   * do not already name a cache (or ask to make one).
   */
  static boolean wanted(Map<String, String> env, MemberJvm jvm, List<String> opts) {
    return jvm.feature() >= MemberJvm.NEWER
        && !"off".equalsIgnoreCase(env.getOrDefault(AOT_ENV, "").trim())
        && opts.stream().noneMatch(o -> o.startsWith("-XX:AOTCache")
            || o.startsWith("-XX:SharedArchiveFile") || o.startsWith("-XX:AOTMode"));
  }

  /** The flag that makes a member use this cache, if the cache is fresh for jar. */
  Optional<String> flag(Path jar) {
    return fresh(jar) ? Optional.of("-XX:AOTCache=" + file) : Optional.empty();
  }

  /** Present, not older than the jar, and made for this JVM and these options. */
  boolean fresh(Path jar) {
    try {
      FileTime made = Files.getLastModifiedTime(file);
      return made.compareTo(Files.getLastModifiedTime(jar)) >= 0
          && fingerprint.equals(Files.readString(stampFile(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }

  /** Beside the cache: what it was made for (human-readable; the name only has a hash). */
  Path stampFile() {
    return file.resolveSibling(file.getFileName() + ".for");
  }

  /** The JDK's own release file's modification time: a JDK updated in place is another JVM. */
  private static String releaseStamp(Path home) {
    try {
      return Files.getLastModifiedTime(home.resolve("release")).toString();
    } catch (IOException e) {
      return "-";
    }
  }
}
