package raft.kv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.internal.GrpcAttributes;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;
import raft.kv.gateway.Gateway;
import raft.kv.tls.ServerTls;
import raft.kv.tls.TestCerts;

/**
 * The client port's TLS negotiator tells gRPC of the session as gRPC's own would: an
 * interceptor sees the security level and reads the client certificate's CN with
 * {@link TlsPeerIdentity} (etcd's user name for a certificate when auth is on).
 */
class TlsPeerIdentityTest {
  @TempDir Path dir;

  static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String s) {
      return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream in) {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  static final MethodDescriptor<String, String> WHO = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Who/Am")
      .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();

  /** Answers "CN level" from what the interceptor put in the context. */
  static final io.grpc.Context.Key<String> SEEN = io.grpc.Context.key("seen");

  static final class Identity implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
        ServerCallHandler<Q, A> next) {
      String seen = TlsPeerIdentity.commonName(call.getAttributes()).orElse("(none)") + " "
          + call.getAttributes().get(GrpcAttributes.ATTR_SECURITY_LEVEL) + " "
          + (call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) != null);
      return io.grpc.Contexts.interceptCall(io.grpc.Context.current().withValue(SEEN, seen),
          call, headers, next);
    }
  }

  private String ask(Path certs, int port, ClientTls tls) {
    ManagedChannel ch = Clients.dial("https://127.0.0.1:" + port, tls);
    try {
      return ClientCalls.blockingUnaryCall(ch, WHO,
          CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "?");
    } finally {
      ch.shutdownNow();
    }
  }

  @Test
  void anInterceptorReadsTheClientCertificatesCommonName() throws Exception {
    Path certs = TestCerts.make(dir.resolve("certs"), 1);
    ServerServiceDefinition who = ServerServiceDefinition.builder("test.Who")
        .addMethod(WHO, ServerCalls.asyncUnaryCall((req, out) -> {
          out.onNext(SEEN.get());
          out.onCompleted();
        })).build();
    // Without a trusted CA (etcd: no --trusted-ca-file) no certificate is asked for: no CN.
    for (boolean required : List.of(true, false)) {
      var negotiator = new Gateway(null, List.of(), null, 1 << 20).negotiator(
          new ServerTls(certs.resolve("n1.crt"), certs.resolve("n1.key"),
              required ? certs.resolve("ca.crt") : null, required).serverContext(), line -> { });
      Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
          negotiator.credentials()).addService(ServerInterceptors.intercept(who, new Identity()))
          .build().start();
      try {
        assertEquals((required ? "client" : "(none)") + " PRIVACY_AND_INTEGRITY true",
            ask(certs, s.getPort(), new ClientTls(certs.resolve("ca.crt"),
                certs.resolve("client.crt"), certs.resolve("client.key"), false)));
        if (!required) {
          assertEquals("(none) PRIVACY_AND_INTEGRITY true", ask(certs, s.getPort(),
              new ClientTls(certs.resolve("ca.crt"), null, null, false)));
        }
      } finally {
        s.shutdownNow();
        negotiator.close();
      }
    }
  }
}
