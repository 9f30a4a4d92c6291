package raft.kv.tls;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.RangeRequest;

/**
 * What TLS adds to a new connection: the time from dialing to the first answered request
 * (a serializable range), for N fresh connections one after another, over plain text and over
 * TLS (one client context for all, as a client process would have). Works against any etcd v3
 * endpoint, etcd's too.
 *
 * <pre>
 * java -cp raft-kv/target/raftkv.jar raft.kv.tls.HandshakeCost PLAIN_HOST:PORT TLS_HOST:PORT \
 *     CA.crt CLIENT.crt CLIENT.key [N=20]
 * </pre>
 */
public final class HandshakeCost {
  private HandshakeCost() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: HandshakeCost PLAIN_HOST:PORT TLS_HOST:PORT CA CERT KEY [N]");
      System.exit(2);
    }
    int n = args.length > 5 ? Integer.parseInt(args[5]) : 20;
    SslContext tls = GrpcClientTls.context(Path.of(args[2]), Path.of(args[3]), Path.of(args[4]),
        false);
    firstRequest(args[0], null); // warm the JVM's code paths once each, uncounted
    firstRequest(args[1], tls);
    print("plain", args[0], measure(args[0], null, n));
    print("TLS", args[1], measure(args[1], tls, n));
  }

  private static List<Long> measure(String endpoint, SslContext tls, int n) {
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      micros.add(firstRequest(endpoint, tls));
    }
    Collections.sort(micros);
    return micros;
  }

  /** Dials a fresh channel, sends one range, returns the microseconds until its answer. */
  private static long firstRequest(String endpoint, SslContext tls) {
    long start = System.nanoTime();
    String[] hp = endpoint.split(":");
    ManagedChannel ch = tls == null ? ManagedChannelBuilder.forAddress(hp[0],
        Integer.parseInt(hp[1])).usePlaintext().build()
        : GrpcClientTls.dial(new java.net.InetSocketAddress(hp[0], Integer.parseInt(hp[1])),
            tls);
    try {
      KVGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS).range(RangeRequest
          .newBuilder().setKey(ByteString.copyFromUtf8("handshake-cost"))
          .setSerializable(true).build());
      return (System.nanoTime() - start) / 1000;
    } finally {
      ch.shutdownNow();
    }
  }

  private static void print(String what, String endpoint, List<Long> sorted) {
    double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0);
    System.out.printf(Locale.ROOT, "%-5s %-21s n=%d  median %.2f ms  p90 %.2f ms  mean %.2f ms"
        + "  max %.2f ms%n", what, endpoint, sorted.size(), sorted.get(sorted.size() / 2) / 1e3,
        sorted.get((int) Math.ceil(sorted.size() * 0.9) - 1) / 1e3, mean / 1e3,
        sorted.get(sorted.size() - 1) / 1e3);
  }
}
