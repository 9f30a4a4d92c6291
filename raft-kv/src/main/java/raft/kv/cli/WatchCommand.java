package raft.kv.cli;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.kv.api.etcdserverpb.WatchCreateRequest;
import raft.kv.api.etcdserverpb.WatchRequest;
import raft.kv.api.etcdserverpb.WatchResponse;
import raft.kv.api.mvccpb.Event;
import raft.kv.client.Clients;

/**
 * {@code raftkv watch}: prints each event (type, [prev kv], kv) until Ctrl-C, or until
 * {@code --max-events} events have arrived. The gRPC callback thread prints; the command
 * thread only waits.
 */
@Command(name = "watch", description = "Watches a key or a range of keys for changes.")
public final class WatchCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "key") String key;
  @Parameters(index = "1", paramLabel = "range_end", arity = "0..1") String rangeEnd;
  @Option(names = "--prefix", description = "Watch keys with this prefix.") boolean prefix;
  @Option(names = "--rev", defaultValue = "0", description = "Start at this revision.")
  long rev;
  @Option(names = "--prev-kv", description = "Also print the previous key-value.")
  boolean prevKv;
  @Option(names = "--max-events", defaultValue = "0",
      description = "Exit after this many events (0: run until Ctrl-C).")
  long maxEvents;

  WatchRequest toRequest() {
    WatchCreateRequest.Builder c = WatchCreateRequest.newBuilder()
        .setKey(KvCommands.bytes(key)).setStartRevision(rev).setPrevKv(prevKv);
    if (prefix) {
      c.setRangeEnd(KvCommands.prefixEnd(KvCommands.bytes(key)));
    } else if (rangeEnd != null) {
      c.setRangeEnd(KvCommands.bytes(rangeEnd));
    }
    return WatchRequest.newBuilder().setCreateRequest(c).build();
  }

  @Override
  int run(Clients clients) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger seen = new AtomicInteger();
    StreamObserver<WatchRequest> requests = clients.watch().watch(new StreamObserver<>() {
      @Override
      public void onNext(WatchResponse r) {
        if (r.getCanceled()) {
          failure.set(new Clients.Failure("watch was canceled (" + r.getCancelReason() + ")"));
          done.countDown();
          return;
        }
        for (Event e : r.getEventsList()) {
          out().print(Printer.event(e));
          out().flush();
          if (maxEvents > 0 && seen.incrementAndGet() >= maxEvents) {
            done.countDown();
            return;
          }
        }
      }

      @Override
      public void onError(Throwable t) {
        failure.set(t);
        done.countDown();
      }

      @Override
      public void onCompleted() {
        done.countDown();
      }
    });
    requests.onNext(toRequest());
    done.await();
    if (failure.get() != null) {
      throw failure.get() instanceof Exception e ? e : new RuntimeException(failure.get());
    }
    requests.onCompleted(); // closing the channel (Clients.close) cancels the stream
    return 0;
  }
}
