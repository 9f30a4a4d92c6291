package raft;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import raft.purityfixture.AmbientRandomness;
import raft.purityfixture.ClockReader;
import raft.purityfixture.FileToucher;
import raft.purityfixture.InjectedRandomness;
import raft.purityfixture.Sleeper;

/**
 * DESIGN.md, "The protocol core does no I/O": no threads, no clocks, no ambient randomness and
 * no logging side effects in {@code raft.core}, {@code raft.log}, {@code raft.tracker},
 * {@code raft.confchange},
 * {@code raft.quorum} (the log's {@code Storage} interface and {@code MemoryStorage} live in
 * {@code raft.log}, so {@code raft.storage} is I/O only and outside the rule). Scans the
 * compiled main classes (the generated {@code raft.pb} is excluded) with ArchUnit's plain API.
 */
class PurityTest {

  static final String[] PROTOCOL =
      {"raft.core..", "raft.log..", "raft.tracker..", "raft.quorum..", "raft.confchange.."};

  static final DescribedPredicate<JavaClass> IMPURE = resideInAnyPackage(
      "java.io..", "java.nio.file..", "java.nio.channels..", "java.net..",
      "java.util.concurrent..", "java.time..", "java.util.logging..")
      .or(belongToAnyOf(Thread.class, Random.class, SecureRandom.class))
      .as("I/O, threads, clocks, ambient randomness or logging (java.io.., java.nio.file.., "
          + "java.nio.channels.., java.net.., java.lang.Thread, java.util.concurrent.., "
          + "java.time.., java.util.Random, java.security.SecureRandom, java.util.logging..)");

  /** The purity rule, for whichever classes {@code scope} selects. */
  static ArchRule purity(DescribedPredicate<? super JavaClass> scope) {
    return noClasses().that(scope)
        .should().dependOnClassesThat(IMPURE)
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(Math.class, "random")
        .orShould().callMethod(StrictMath.class, "random")
        .orShould().accessField(System.class, "out")
        .orShould().accessField(System.class, "err")
        .because("the protocol is a deterministic function of its inputs (DESIGN.md: time is "
            + "counted in ticks, randomness comes from an injected seeded generator)");
  }

  static final DescribedPredicate<JavaClass> IN_PROTOCOL = resideInAnyPackage(PROTOCOL)
      .as("in the protocol packages");

  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("/raft/pb/"))
        .importPackages("raft");
  }

  @Test
  @DisplayName("the scan sees the protocol and storage classes, and neither raft.pb nor tests")
  void scanCoversTheRightClasses() {
    for (String name : List.of("raft.core.Raft", "raft.log.RaftLog", "raft.log.Unstable",
        "raft.tracker.Progress", "raft.tracker.Inflights", "raft.quorum.MajorityConfig",
        "raft.log.MemoryStorage", "raft.log.Storage")) {
      assertTrue(main.contain(name), "not scanned: " + name);
    }
    assertFalse(main.contain("raft.pb.Message"));
    assertFalse(main.contain(ClockReader.class));
    assertFalse(main.contain(PurityTest.class));
  }

  @Test
  @DisplayName("no I/O, threads, clocks, ambient randomness or logging in the protocol packages")
  void protocolIsPure() {
    purity(IN_PROTOCOL).check(main);
  }

  @Test
  @DisplayName("of the project's own packages, the protocol uses only itself and raft.pb")
  void protocolLayering() {
    layering().check(main);
  }

  /** No storage, transport, runtime or I/O package of ours: the protocol depends on none. */
  static ArchRule layering() {
    return classes().that(IN_PROTOCOL).should().onlyDependOnClassesThat(
        resideInAnyPackage(PROTOCOL).or(resideInAnyPackage("raft.pb.."))
            .or(DescribedPredicate.describe("outside raft", (JavaClass c) ->
                !c.getPackageName().equals("raft") && !c.getPackageName().startsWith("raft."))));
  }

  @Test
  @DisplayName("the layering rule reports a protocol class that uses raft.storage")
  void layeringHasTeeth() {
    JavaClasses one = new ClassFileImporter().importClasses(
        raft.log.StorageUserFixture.class, raft.storage.MemberIdentity.class);
    EvaluationResult r = layering().evaluate(one);
    assertTrue(r.hasViolation(), "a protocol class using raft.storage must be reported");
    assertTrue(String.join("\n", r.getFailureReport().getDetails())
        .contains("raft.storage.MemberIdentity"));
  }

  // ---- the rule has teeth: it rejects impure fixtures and accepts a pure one ----

  static EvaluationResult evaluateOn(Class<?> fixture) {
    JavaClasses one = new ClassFileImporter().importClasses(fixture);
    return purity(resideInAnyPackage("raft.purityfixture..")).evaluate(one);
  }

  @ParameterizedTest(name = "{0} is rejected for {1}")
  @CsvSource({
      "raft.purityfixture.ClockReader, System.currentTimeMillis()",
      "raft.purityfixture.AmbientRandomness, java.util.Random",
      "raft.purityfixture.Sleeper, java.lang.Thread",
      "raft.purityfixture.FileToucher, java.nio.file.Path"})
  @DisplayName("the purity rule reports a violation for impure code")
  void ruleHasTeeth(String fixture, String culprit) throws ClassNotFoundException {
    EvaluationResult r = evaluateOn(Class.forName(fixture));
    assertTrue(r.hasViolation(), fixture + " should violate the rule");
    String report = String.join("\n", r.getFailureReport().getDetails());
    assertTrue(report.contains(culprit), "report should name " + culprit + ":\n" + report);
    assertTrue(report.contains(fixture), "report should name " + fixture + ":\n" + report);
  }

  @Test
  @DisplayName("the violation for System.currentTimeMillis is a method call in ClockReader.now")
  void clockViolationDetail() {
    EvaluationResult r = evaluateOn(ClockReader.class);
    List<String> details = r.getFailureReport().getDetails();
    assertEquals(1, details.size(), String.join("\n", details));
    assertTrue(details.get(0).contains("ClockReader.now()"), details.get(0));
    assertTrue(details.get(0).contains("calls method <java.lang.System.currentTimeMillis()>"),
        details.get(0));
  }

  @Test
  @DisplayName("an injected java.util.random.RandomGenerator is allowed")
  void injectedRandomnessIsAllowed() {
    EvaluationResult r = evaluateOn(InjectedRandomness.class);
    assertFalse(r.hasViolation(), String.join("\n", r.getFailureReport().getDetails()));
  }
}
