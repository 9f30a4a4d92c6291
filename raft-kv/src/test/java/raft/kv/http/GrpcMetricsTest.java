package raft.kv.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** go-grpc-prometheus's label values: Go's code names and grpc_type words. */
class GrpcMetricsTest {

  @Test
  void codesAreSpelledAsGoSpellsThem() {
    // google.golang.org/grpc/codes: Code.String(), in code order.
    assertEquals(List.of("OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
        "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
        "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal",
        "Unavailable", "DataLoss", "Unauthenticated"),
        Arrays.stream(Status.Code.values()).map(GrpcMetrics::goName).toList());
  }

  @Test
  void codesAreSpelledTheSameWhateverTheDefaultLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR")); // I lower-cases to ı
    try {
      assertEquals("InvalidArgument", GrpcMetrics.goName(Status.Code.INVALID_ARGUMENT));
      assertEquals("PermissionDenied", GrpcMetrics.goName(Status.Code.PERMISSION_DENIED));
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  @Test
  void typesAreGoGrpcPrometheusWords() {
    assertEquals(List.of("unary", "client_stream", "server_stream", "bidi_stream", "unknown"),
        Arrays.stream(MethodDescriptor.MethodType.values()).map(GrpcMetrics::type).toList());
  }
}
