package raft.kv.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The members' AOT cache (JDK 25's JEP 483/514/515: classes loaded and linked, method profiles,
 * made by a training run, {@link MemberAotTraining}), kept next to the jar. A cache is only
 * valid for the JVM build and the options it was made with (a cache made without
 * --enable-native-access or with other object headers is refused with [error][aot] lines in
 * the member's log), so its file name carries a hash of both: each set of options gets its own
 * cache, made once. The environment's JAVA_TOOL_OPTIONS and JDK_JAVA_OPTIONS are options too.
 * The stamp beside it records the jar's size and modification time when the training began,
 * and the cache is used only while the jar still has both: a jar rebuilt during a training, or
 * copied in with an older time, is another jar (a "cache newer than the jar" rule took both
 * for fresh). RAFTKV_NODE_AOT=off disables it.
 * Figures (3 members, load average 22-40): start to leader 3.7-4.9 s with the cache against
 * 6.8-8.4 s without; idle resident memory about 5 MB more per member (pages of the 56 MB
 * cache file, shared through the page cache: anonymous memory 87-99 MB against 84-100).
 * A corrupt cache only costs the member five [aot] lines in its log: Java then starts without.
 */
record MemberAot(Path file, String fingerprint) {
  static final String AOT_ENV = "RAFTKV_NODE_AOT";

  /**
   * The cache for members run by jvm with opts (without any cache flag) from jar, in env (the
   * launcher's environment, which the members inherit).
   */
  static MemberAot of(Path jar, MemberJvm jvm, List<String> opts, Map<String, String> env) {
    String fingerprint = "java " + jvm.java().toAbsolutePath() + " " + jvm.version() + "\n"
        + "home " + jvm.home().toAbsolutePath() + " " + releaseStamp(jvm.home()) + "\n"
        + "opts " + String.join(" ", opts) + "\n"
        + "env JAVA_TOOL_OPTIONS=" + env.getOrDefault("JAVA_TOOL_OPTIONS", "")
        + " JDK_JAVA_OPTIONS=" + env.getOrDefault("JDK_JAVA_OPTIONS", "") + "\n";
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

  /** Present, made from this very jar, for this JVM and these options. */
  boolean fresh(Path jar) {
    try {
      return Files.isRegularFile(file) && Files.size(file) > 0
          && stamp(jarStamp(jar)).equals(Files.readString(stampFile(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }

  /** What the stamp says of a cache made from the jar with this jarStamp. */
  String stamp(String jarStamp) {
    return fingerprint + jarStamp + "\n";
  }

  /** The jar's size and modification time: "jar SIZE TIME". */
  static String jarStamp(Path jar) throws IOException {
    return "jar " + Files.size(jar) + " " + Files.getLastModifiedTime(jar);
  }

  /** Whether a training for this jar, JVM and options failed ({@link #recordFailure}). */
  boolean failed(Path jar) {
    try {
      return Files.readString(failedFile(), StandardCharsets.UTF_8).startsWith(
          stamp(jarStamp(jar)));
    } catch (IOException e) {
      return false;
    }
  }

  /** Records that the training from the jar with this jarStamp failed, and why. */
  void recordFailure(String jarStamp, String why) {
    try {
      Files.writeString(failedFile(), stamp(jarStamp) + "failed: " + why + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      // not recorded: the next start trains again
    }
  }

  /**
   * Deletes the caches beside jar (and their stamps) made from an earlier build of it: each is
   * 56 MB, and every build of the jar left one per set of options. Also a training's temporary
   * files whose launcher is gone. Returns the names deleted.
   */
  static List<String> deleteStale(Path jar) {
    List<String> deleted = new java.util.ArrayList<>();
    try (var files = Files.newDirectoryStream(jar.toAbsolutePath().getParent(),
        "raftkv-member-*.aot*")) {
      String now = jarStamp(jar);
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (isStale(f, name, now)) {
          // a stale stamp takes its cache along; a stale failure record goes alone
          String cache = name.substring(0, name.indexOf(".aot") + 4);
          for (String stale : name.endsWith(".for") ? List.of(cache, name) : List.of(name)) {
            if (Files.deleteIfExists(f.resolveSibling(stale))) {
              deleted.add(stale);
            }
          }
        } else if (isOrphan(name) && Files.deleteIfExists(f)) {
          deleted.add(name);
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      // what could not be read or deleted stays: it is only disk space
    }
    return deleted;
  }

  /** A stamp (or failure record) of another build of the jar than the one now there. */
  private static boolean isStale(Path f, String name, String jarStampNow) {
    if (!name.endsWith(".aot.for") && !name.endsWith(".aot.failed")) {
      return false;
    }
    try {
      return Files.readAllLines(f, StandardCharsets.UTF_8).stream()
          .filter(line -> line.startsWith("jar ")).noneMatch(jarStampNow::equals);
    } catch (IOException e) {
      return false; // deleted meanwhile (with its cache, listed before it)
    }
  }

  /** A training's temporary file (NAME.tmp-PID) whose launcher is no longer alive. */
  private static boolean isOrphan(String name) {
    int at = name.lastIndexOf(".tmp-");
    if (at < 0) {
      return false;
    }
    try {
      long pid = Long.parseLong(name.substring(at + 5).replace(".config", ""));
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty();
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Beside the cache: why its last training failed, for which jar, JVM and options. */
  Path failedFile() {
    return file.resolveSibling(file.getFileName() + ".failed");
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
