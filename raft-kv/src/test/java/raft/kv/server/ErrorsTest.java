package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import raft.kv.mvcc.KvException;

/**
 * What a client sees for each refusal of the state machine: etcd's gRPC code and its exact text
 * (etcd 3.4, api/v3rpc/rpctypes/error.go). clientv3 and jetcd turn the text back into typed
 * errors, so neither may drift.
 */
class ErrorsTest {

  static Stream<Arguments> etcdErrors() {
    return Stream.of(
        row(KvException::emptyKey, Status.Code.INVALID_ARGUMENT,
            "etcdserver: key is not provided"),
        row(KvException::keyNotFound, Status.Code.INVALID_ARGUMENT, "etcdserver: key not found"),
        row(KvException::valueProvided, Status.Code.INVALID_ARGUMENT,
            "etcdserver: value is provided"),
        row(KvException::leaseProvided, Status.Code.INVALID_ARGUMENT,
            "etcdserver: lease is provided"),
        row(KvException::duplicateKey, Status.Code.INVALID_ARGUMENT,
            "etcdserver: duplicate key given in txn request"),
        row(KvException::tooManyOps, Status.Code.INVALID_ARGUMENT,
            "etcdserver: too many operations in txn request"),
        row(KvException::compacted, Status.Code.OUT_OF_RANGE,
            "etcdserver: mvcc: required revision has been compacted"),
        row(KvException::futureRevision, Status.Code.OUT_OF_RANGE,
            "etcdserver: mvcc: required revision is a future revision"),
        row(KvException::noSpace, Status.Code.RESOURCE_EXHAUSTED,
            "etcdserver: mvcc: database space exceeded"),
        row(KvException::leaseNotFound, Status.Code.NOT_FOUND,
            "etcdserver: requested lease not found"),
        row(KvException::leaseExists, Status.Code.FAILED_PRECONDITION,
            "etcdserver: lease already exists"),
        row(KvException::leaseTtlTooLarge, Status.Code.OUT_OF_RANGE,
            "etcdserver: too large lease TTL"));
  }

  private static Arguments row(Supplier<KvException> refusal, Status.Code code, String text) {
    KvException e = refusal.get();
    return Arguments.of(e.toString(), e, code, text);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("etcdErrors")
  @DisplayName("each refusal reaches the client with etcd's code and text")
  void refusalsMapToEtcdStatuses(String name, KvException e, Status.Code code, String text) {
    StatusRuntimeException s = Errors.of(e);
    assertEquals(code, s.getStatus().getCode());
    assertEquals(text, s.getStatus().getDescription());
  }

  @Test
  @DisplayName("an entry that does not parse is an internal error naming its index")
  void malformedEntry() {
    StatusRuntimeException s = Errors.of(KvException.malformedEntry(21));
    assertEquals(Status.Code.INTERNAL, s.getStatus().getCode());
    assertEquals("raftkv: malformed entry at index 21", s.getStatus().getDescription());
  }

  @Test
  @DisplayName("a refusal wrapped by a CompletableFuture maps the same")
  void wrappedRefusal() {
    StatusRuntimeException s = Errors.of(new CompletionException(KvException.leaseNotFound()));
    assertEquals(Status.Code.NOT_FOUND, s.getStatus().getCode());
    assertEquals("etcdserver: requested lease not found", s.getStatus().getDescription());
  }
}
