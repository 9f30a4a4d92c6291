package raft.kv.bench;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.PutRequest;
import raft.kv.client.Clients;
import raft.kv.client.GlobalOptions;
import raft.kv.client.GoDurationConverter;

/**
 * {@code raftkv bench failover-probe --kill-pid P}: connects to the surviving endpoints
 * (--endpoints), SIGKILLs process P (the leader), then writes every --interval, each attempt
 * with a short deadline, round-robin over the survivors, and prints the time from the kill to
 * the first acknowledged write. Connecting first keeps JVM start-up and dialing out of the
 * measurement. Blocking, at most --give-up.
 */
@Command(name = "failover-probe",
    description = "Kills a member and times the first successful write after it.")
final class FailoverProbe implements java.util.concurrent.Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--kill-pid", required = true, description = "The process to SIGKILL.")
  long killPid;

  @Option(names = "--interval", defaultValue = "10ms",
      converter = GoDurationConverter.class)
  Duration interval;

  @Option(names = "--attempt-timeout", defaultValue = "200ms",
      converter = GoDurationConverter.class)
  Duration attemptTimeout;

  @Option(names = "--give-up", defaultValue = "60s",
      converter = GoDurationConverter.class)
  Duration giveUp;

  @Override
  public Integer call() throws Exception {
    GlobalOptions root = GlobalOptions.of(spec);
    PrintWriter out = spec.commandLine().getOut();
    List<String> survivors;
    try (Clients clients = root.clients()) {
      survivors = clients.endpoints();
    }
    List<ManagedChannel> channels = Targets.open(survivors, survivors.size(), root.tls());
    try {
      List<KVGrpc.KVFutureStub> stubs = channels.stream().map(KVGrpc::newFutureStub).toList();
      // Warm the connections and the client's code path before the clock starts.
      stubs.get(0).withDeadlineAfter(5, TimeUnit.SECONDS).put(put(0)).get();
      ProcessHandle victim = ProcessHandle.of(killPid)
          .orElseThrow(() -> new Clients.Failure("no process " + killPid));
      long killedAt = System.nanoTime();
      victim.destroyForcibly(); // SIGKILL on Linux
      long elapsed = probe(stubs, killedAt);
      out.printf(Locale.ROOT, "{\"failover_ms\":%.1f,\"killed_pid\":%d}%n", elapsed / 1e6,
          killPid);
      out.flush();
      return 0;
    } finally {
      Targets.close(channels);
    }
  }

  private long probe(List<KVGrpc.KVFutureStub> stubs, long killedAt) throws Exception {
    CompletableFuture<Long> firstOk = new CompletableFuture<>();
    AtomicLong attempts = new AtomicLong();
    long giveUpAt = killedAt + giveUp.toNanos();
    while (!firstOk.isDone() && System.nanoTime() < giveUpAt) {
      long n = attempts.incrementAndGet();
      KVGrpc.KVFutureStub stub = stubs.get((int) (n % stubs.size()));
      Futures.addCallback(stub.withDeadlineAfter(attemptTimeout.toMillis(),
          TimeUnit.MILLISECONDS).put(put(n)), new FutureCallback<Object>() {
            @Override
            public void onSuccess(Object r) {
              firstOk.complete(System.nanoTime() - killedAt);
            }

            @Override
            public void onFailure(Throwable t) {
              // expected while there is no leader; the next attempt follows
            }
          }, MoreExecutors.directExecutor());
      try {
        return firstOk.get(interval.toNanos(), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // no success yet: send the next attempt
      }
    }
    if (firstOk.isDone()) {
      return firstOk.get();
    }
    throw new Clients.Failure("no write succeeded within " + giveUp.toSeconds() + " s");
  }

  private static PutRequest put(long n) {
    return PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("failover-probe"))
        .setValue(ByteString.copyFromUtf8(Long.toString(n))).build();
  }
}
