package raft.kv.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.client.Clients;

/** Which java runs the members and with which options; when the AOT cache is used. */
class MemberJvmTest {
  @TempDir Path dir;

  /** A JDK home as a directory with a release file and an executable bin/java. */
  private Path jdk(String name, String javaVersion) throws IOException {
    Path home = dir.resolve(name);
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\""
        + javaVersion + "\"\nOS_NAME=\"Linux\"\n");
    Path java = home.resolve("bin/java");
    Files.writeString(java, "#!/bin/sh\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    return home;
  }

  private Path jvmDir() throws IOException {
    return Files.createDirectories(dir.resolve("jvm"));
  }

  @Test
  void theNewestJdkFrom25UpIsChosen() throws Exception {
    Path own = jdk("own", "17.0.9");
    jdk("jvm/java-17-openjdk-amd64", "17.0.12");
    jdk("jvm/temurin-25-jdk-amd64", "25.0.3");
    jdk("jvm/temurin-25.0.1", "25.0.1");
    jdk("jvm/java-8-openjdk-amd64", "1.8.0_392");
    Files.createDirectories(jvmDir().resolve("not-a-jdk"));
    MemberJvm j = MemberJvm.choose(Map.of(), jvmDir(), own);
    assertEquals(jvmDir().resolve("temurin-25-jdk-amd64/bin/java"), j.java());
    assertEquals("25.0.3", j.version().toString());
    jdk("jvm/jdk-26", "26");
    assertEquals(26, MemberJvm.choose(Map.of(), jvmDir(), own).feature());
  }

  @Test
  void withoutJava25TheLaunchersOwnJavaRunsTheMembers() throws Exception {
    Path own = jdk("own", "17.0.9");
    jdk("jvm/java-21-openjdk-amd64", "21.0.5");
    MemberJvm j = MemberJvm.choose(Map.of(), jvmDir(), own);
    assertEquals(own.resolve("bin/java"), j.java());
    assertEquals(17, j.feature());
    assertEquals(own.resolve("bin/java"),
        MemberJvm.choose(Map.of(), dir.resolve("absent"), own).java());
    assertEquals(8, MemberJvm.ofHome(jdk("old", "1.8.0_392")).orElseThrow().feature());
  }

  @Test
  void theEnvironmentNamesABinaryOrAHome() throws Exception {
    Path own = jdk("own", "17.0.9");
    Path j17 = jdk("jvm/java-17", "17.0.12");
    jdk("jvm/temurin-25", "25.0.3");
    MemberJvm byBinary = MemberJvm.choose(Map.of(MemberJvm.JAVA_ENV,
        j17.resolve("bin/java").toString()), jvmDir(), own);
    assertEquals(j17.resolve("bin/java"), byBinary.java());
    assertEquals("17.0.12", byBinary.version().toString());
    MemberJvm byHome = MemberJvm.choose(Map.of(MemberJvm.JAVA_ENV, j17.toString()), jvmDir(), own);
    assertEquals(j17.resolve("bin/java"), byHome.java());
    assertThrows(Clients.Failure.class, () -> MemberJvm.choose(
        Map.of(MemberJvm.JAVA_ENV, dir.resolve("nowhere").toString()), jvmDir(), own));
  }

  @Test
  void optionsFollowTheFeatureVersion() throws Exception {
    MemberJvm j17 = MemberJvm.ofHome(jdk("a", "17.0.12")).orElseThrow();
    MemberJvm j25 = MemberJvm.ofHome(jdk("b", "25.0.3")).orElseThrow();
    assertEquals(MemberJvm.words(MemberJvm.OPTS_17), j17.options(Map.of()));
    List<String> on25 = j25.options(Map.of());
    assertTrue(on25.contains("-XX:+UseCompactObjectHeaders"), on25.toString());
    assertTrue(on25.containsAll(MemberJvm.QUIET_25), on25.toString());
    assertTrue(on25.contains("-Xmx256m") && on25.contains("-XX:+UseSerialGC"), on25.toString());
    // RAFTKV_NODE_JVM_OPTS replaces the options; 25 still gets the flags that keep it quiet.
    Map<String, String> env = Map.of(MemberJvm.OPTS_ENV, " -Xmx64m  -Dx=1 ");
    assertEquals(List.of("-Xmx64m", "-Dx=1"), j17.options(env));
    assertEquals(List.of("-Xmx64m", "-Dx=1", "--enable-native-access=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow"), j25.options(env));
    assertEquals(List.of("--sun-misc-unsafe-memory-access=warn",
        "--enable-native-access=ALL-UNNAMED"), j25.options(Map.of(MemberJvm.OPTS_ENV,
        "--sun-misc-unsafe-memory-access=warn")));
  }

  @Test
  void theAotCacheIsUsedOnlyWhenFreshForThisJvmAndTheseOptions() throws Exception {
    MemberJvm j25 = MemberJvm.ofHome(jdk("b", "25.0.3")).orElseThrow();
    MemberJvm j17 = MemberJvm.ofHome(jdk("a", "17.0.12")).orElseThrow();
    List<String> opts = j25.options(Map.of());
    Path jar = Files.writeString(dir.resolve("raftkv.jar"), "jar");
    MemberAot aot = MemberAot.of(jar, j25, opts, Map.of());
    assertEquals(Optional.empty(), aot.flag(jar)); // none made yet
    Files.writeString(aot.file(), "cache");
    assertEquals(Optional.empty(), aot.flag(jar)); // no record of what it was made for
    Files.writeString(aot.stampFile(), aot.stamp(MemberAot.jarStamp(jar)));
    assertEquals(Optional.of("-XX:AOTCache=" + aot.file()), aot.flag(jar));
    FileTime built = Files.getLastModifiedTime(jar);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(built.toMillis() + 1000)); // rebuilt
    assertEquals(Optional.empty(), aot.flag(jar));
    Files.setLastModifiedTime(aot.file(), FileTime.fromMillis(built.toMillis() + 5000));
    assertFalse(aot.fresh(jar), "a cache newer than the jar, but made from another jar");
    Files.writeString(jar, "a jar of another size");
    Files.setLastModifiedTime(jar, built);
    assertFalse(aot.fresh(jar), "the same time, another size: another jar");
    Files.writeString(jar, "jar");
    Files.setLastModifiedTime(jar, built);
    assertTrue(aot.fresh(jar));
    MemberAot other = MemberAot.of(jar, j25, List.of("-Xmx64m"), Map.of());
    assertFalse(other.file().equals(aot.file()), "other options, another cache");
    Files.writeString(aot.stampFile(), other.stamp(MemberAot.jarStamp(jar)));
    assertFalse(aot.fresh(jar), "a cache made for other options is not used");
    for (String env : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
      assertFalse(MemberAot.of(jar, j25, opts, Map.of(env, "-Xmx1g")).file().equals(aot.file()),
          env + " is options too");
    }

    assertTrue(MemberAot.wanted(Map.of(), j25, opts));
    assertFalse(MemberAot.wanted(Map.of(MemberAot.AOT_ENV, "off"), j25, opts));
    assertFalse(MemberAot.wanted(Map.of(), j17, j17.options(Map.of())));
    assertFalse(MemberAot.wanted(Map.of(), j25, List.of("-XX:AOTCache=/x.aot")));
  }

  @Test
  void aFailedTrainingIsNotTriedAgainUntilTheJarOrOptionsChange() throws Exception {
    MemberJvm j25 = MemberJvm.ofHome(jdk("b", "25.0.3")).orElseThrow();
    List<String> opts = j25.options(Map.of());
    Path jar = Files.writeString(dir.resolve("raftkv.jar"), "jar");
    MemberAot aot = MemberAot.of(jar, j25, opts, Map.of());
    assertFalse(aot.failed(jar));
    aot.recordFailure(MemberAot.jarStamp(jar), "the training member exited (1)");
    assertTrue(aot.failed(jar));
    ClusterLayout l = new ClusterLayout(3, 0, dir.resolve("cluster"));
    java.io.StringWriter out = new java.io.StringWriter();
    assertFalse(new MemberAotTraining(l, 1, jar, j25, opts).ensure(aot,
        new java.io.PrintWriter(out, true)));
    assertTrue(out.toString().contains("last training failed") && out.toString().contains(
        aot.failedFile().toString()), out.toString());
    assertFalse(Files.exists(l.dir()), "no training tried");
    assertFalse(MemberAot.of(jar, j25, List.of("-Xmx64m"), Map.of()).failed(jar),
        "other options");
    Files.writeString(jar, "a rebuilt jar");
    assertFalse(aot.failed(jar), "another jar");
  }

  @Test
  void cachesOfAnEarlierBuildOfTheJarAreDeleted() throws Exception {
    MemberJvm j25 = MemberJvm.ofHome(jdk("b", "25.0.3")).orElseThrow();
    Path jar = Files.writeString(dir.resolve("raftkv.jar"), "old jar");
    MemberAot old = MemberAot.of(jar, j25, List.of("-Xmx64m"), Map.of());
    Files.writeString(old.file(), "cache");
    Files.writeString(old.stampFile(), old.stamp(MemberAot.jarStamp(jar)));
    MemberAot failed = MemberAot.of(jar, j25, List.of("-Xmx32m"), Map.of());
    failed.recordFailure(MemberAot.jarStamp(jar), "boom");
    Files.writeString(jar, "the jar rebuilt");
    MemberAot now = MemberAot.of(jar, j25, j25.options(Map.of()), Map.of());
    Files.writeString(now.file(), "cache");
    Files.writeString(now.stampFile(), now.stamp(MemberAot.jarStamp(jar)));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Path orphan = now.file().resolveSibling(now.file().getFileName() + ".tmp-" + gone.pid());
    Path training = now.file().resolveSibling(now.file().getFileName() + ".tmp-"
        + ProcessHandle.current().pid());
    Files.writeString(orphan, "half a cache");
    Files.writeString(training, "a cache being made");

    List<String> deleted = MemberAot.deleteStale(jar);
    assertFalse(Files.exists(old.file()) || Files.exists(old.stampFile())
        || Files.exists(failed.failedFile()) || Files.exists(orphan), deleted.toString());
    assertTrue(now.fresh(jar), "the current build's cache stays");
    assertTrue(Files.exists(training), "a live launcher's training stays");
    assertEquals(4, deleted.size(), deleted.toString());
  }
}
