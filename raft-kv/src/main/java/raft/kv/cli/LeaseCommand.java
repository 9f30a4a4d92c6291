package raft.kv.cli;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.kv.api.etcdserverpb.LeaseGrantRequest;
import raft.kv.api.etcdserverpb.LeaseGrantResponse;
import raft.kv.api.etcdserverpb.LeaseKeepAliveRequest;
import raft.kv.api.etcdserverpb.LeaseKeepAliveResponse;
import raft.kv.api.etcdserverpb.LeaseLeasesRequest;
import raft.kv.api.etcdserverpb.LeaseRevokeRequest;
import raft.kv.api.etcdserverpb.LeaseTimeToLiveRequest;
import raft.kv.client.Clients;

/** {@code raftkv lease grant|revoke|keep-alive|timetolive|list}, as etcdctl. */
@Command(name = "lease", description = "Lease commands.",
    subcommands = {LeaseCommand.Grant.class, LeaseCommand.Revoke.class,
        LeaseCommand.KeepAlive.class, LeaseCommand.TimeToLive.class, LeaseCommand.ListLeases.class})
public final class LeaseCommand {

  @Command(name = "grant", description = "Creates a lease with a TTL in seconds.")
  static final class Grant extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ttl") long ttl;

    @Override
    int run(Clients clients) {
      LeaseGrantResponse r = clients.lease().leaseGrant(
          LeaseGrantRequest.newBuilder().setTTL(ttl).build());
      if (!r.getError().isEmpty()) {
        throw new Clients.Failure(r.getError());
      }
      out().print(Printer.leaseGrant(r));
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revokes a lease and deletes its keys.")
  static final class Revoke extends ClientCommand {
    @Parameters(index = "0", paramLabel = "leaseID") String id;

    @Override
    int run(Clients clients) {
      long lease = KvCommands.parseLeaseId(id);
      clients.lease().leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build());
      out().print(Printer.leaseRevoked(lease));
      return 0;
    }
  }

  @Command(name = "timetolive", description = "Shows a lease's remaining TTL.")
  static final class TimeToLive extends ClientCommand {
    @Parameters(index = "0", paramLabel = "leaseID") String id;
    @Option(names = "--keys", description = "Also list the attached keys.") boolean keys;

    @Override
    int run(Clients clients) {
      var r = clients.lease().leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder()
          .setID(KvCommands.parseLeaseId(id)).setKeys(keys).build());
      out().print(Printer.timeToLive(r, keys));
      return 0;
    }
  }

  @Command(name = "list", description = "Lists all active leases.")
  static final class ListLeases extends ClientCommand {
    @Override
    int run(Clients clients) {
      out().print(Printer.leases(clients.lease().leaseLeases(
          LeaseLeasesRequest.getDefaultInstance())));
      return 0;
    }
  }

  /** Renews every TTL/3 seconds (as clientv3) until Ctrl-C, or once with --once. */
  @Command(name = "keep-alive", description = "Keeps a lease alive.")
  static final class KeepAlive extends ClientCommand {
    @Parameters(index = "0", paramLabel = "leaseID") String id;
    @Option(names = "--once", description = "Renew once, then exit.") boolean once;

    @Override
    int run(Clients clients) throws Exception {
      long lease = KvCommands.parseLeaseId(id);
      BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
      StreamObserver<LeaseKeepAliveRequest> requests =
          clients.leaseStreams().leaseKeepAlive(new StreamObserver<>() {
            @Override
            public void onNext(LeaseKeepAliveResponse r) {
              answers.add(r);
            }

            @Override
            public void onError(Throwable t) {
              answers.add(t);
            }

            @Override
            public void onCompleted() {
              answers.add(new Clients.Failure("the server closed the keep-alive stream"));
            }
          });
      LeaseKeepAliveRequest request = LeaseKeepAliveRequest.newBuilder().setID(lease).build();
      while (true) {
        requests.onNext(request);
        Object a = answers.poll(clients.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (a == null) {
          throw new Clients.Failure("context deadline exceeded");
        } else if (a instanceof RuntimeException e) {
          throw e;
        } else if (a instanceof Throwable t) {
          throw new RuntimeException(t);
        }
        LeaseKeepAliveResponse r = (LeaseKeepAliveResponse) a;
        if (r.getTTL() <= 0) {
          out().println("lease " + Printer.hex(lease) + " expired or revoked.");
          requests.onCompleted();
          return once ? 1 : 0;
        }
        out().print(Printer.keepAlive(r));
        out().flush();
        if (once) {
          requests.onCompleted();
          return 0;
        }
        Thread.sleep(Math.max(500, r.getTTL() * 1000 / 3));
      }
    }
  }
}
