package raft.kv;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import raft.kv.cyclefixtureping.Ping;
import raft.kv.cyclefixturepong.Pong;
import raft.kv.mvcc.GrpcStatusFixture;

/**
 * raft-kv's package layering, checked on the compiled main classes with ArchUnit: the
 * sub-packages of {@code raft.kv} form no cycle, and the replicated state machine ({@code apply},
 * {@code mvcc}, {@code lease}, {@code watch}) knows nothing of gRPC, so its errors are its own
 * and only {@code raft.kv.server} says which status a client sees. Each rule is also evaluated
 * on a test fixture that breaks it, to show it can fail.
 */
class LayeringTest {

  static final String[] STATE_MACHINE = {
      "raft.kv.apply..", "raft.kv.mvcc..", "raft.kv.lease..", "raft.kv.watch.."};

  static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("raft.kv");
  }

  /** Each first-level package under raft.kv is a slice; slices must not depend in a loop. */
  static ArchRule noCycles() {
    return slices().matching("raft.kv.(*)..").should().beFreeOfCycles();
  }

  static ArchRule stateMachineWithoutGrpc() {
    return noClasses().that().resideInAnyPackage(STATE_MACHINE)
        .should().dependOnClassesThat().resideInAnyPackage("io.grpc..")
        .because("the state machine's errors are its own (KvException); raft.kv.server maps "
            + "them to gRPC statuses and etcd's texts in one place (Errors)");
  }

  @Test
  @DisplayName("the scan sees raft-kv's main classes and none of the test fixtures")
  void scanCoversTheRightClasses() {
    for (String name : List.of("raft.kv.mvcc.MvccStore", "raft.kv.apply.KvStateMachine",
        "raft.kv.server.KvServer", "raft.kv.bench.BenchCommand",
        "raft.kv.cluster.ClusterCommand", "raft.kv.client.Clients",
        "raft.kv.main.RaftKvCommand")) {
      assertTrue(main.contain(name), "not scanned: " + name);
    }
    assertFalse(main.contain(Ping.class));
    assertFalse(main.contain(GrpcStatusFixture.class));
  }

  @Test
  @DisplayName("raft.kv's sub-packages depend on each other without a cycle")
  void noPackageCycles() {
    noCycles().check(main);
  }

  @Test
  @DisplayName("apply, mvcc, lease and watch do not depend on io.grpc")
  void stateMachineIsFreeOfGrpc() {
    stateMachineWithoutGrpc().check(main);
  }

  @Test
  @DisplayName("the cycle rule reports two packages that import each other")
  void cycleRuleHasTeeth() {
    EvaluationResult r = noCycles().evaluate(
        new ClassFileImporter().importClasses(Ping.class, Pong.class));
    assertTrue(r.hasViolation(), "Ping and Pong form a cycle");
    String report = String.join("\n", r.getFailureReport().getDetails());
    assertTrue(report.contains("cyclefixtureping") && report.contains("cyclefixturepong"),
        report);
  }

  @Test
  @DisplayName("the gRPC rule reports a class in raft.kv.mvcc that uses io.grpc.Status")
  void grpcRuleHasTeeth() {
    EvaluationResult r = stateMachineWithoutGrpc().evaluate(
        new ClassFileImporter().importClasses(GrpcStatusFixture.class));
    assertTrue(r.hasViolation(), "GrpcStatusFixture uses io.grpc.Status");
    String report = String.join("\n", r.getFailureReport().getDetails());
    assertTrue(report.contains("io.grpc.Status"), report);
  }
}
