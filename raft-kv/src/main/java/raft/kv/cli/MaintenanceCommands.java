package raft.kv.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.kv.api.etcdserverpb.HashKVRequest;
import raft.kv.api.etcdserverpb.HashKVResponse;
import raft.kv.api.etcdserverpb.KVGrpc;
import raft.kv.api.etcdserverpb.MemberListRequest;
import raft.kv.api.etcdserverpb.MemberListResponse;
import raft.kv.api.etcdserverpb.MoveLeaderRequest;
import raft.kv.api.etcdserverpb.RangeRequest;
import raft.kv.api.etcdserverpb.StatusRequest;
import raft.kv.api.etcdserverpb.StatusResponse;
import raft.kv.client.Clients;

/** member list, endpoint status/health/hashkv and move-leader, as etcdctl 3.4. */
public final class MaintenanceCommands {
  private MaintenanceCommands() {}

  @Command(name = "member", description = "Membership commands.",
      subcommands = MemberCommand.ListMembers.class)
  public static final class MemberCommand {
    @Command(name = "list", description = "Lists all members.")
    static final class ListMembers extends ClientCommand {
      @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
          description = "simple, table or json.") String writeOut;

      @Override
      int run(Clients clients) {
        MemberListResponse r = clients.cluster().memberList(MemberListRequest.newBuilder()
            .setLinearizable(true).build());
        out().print("json".equals(writeOut) ? Json.of(r) + "\n"
            : Printer.members(r, "table".equals(writeOut)));
        return 0;
      }
    }
  }

  @Command(name = "endpoint", description = "Per-endpoint commands (over all --endpoints).",
      subcommands = {EndpointCommand.EndpointStatus.class, EndpointCommand.Health.class,
          EndpointCommand.HashKv.class})
  public static final class EndpointCommand {

    @Command(name = "status", description = "Shows each endpoint's Raft status.")
    static final class EndpointStatus extends ClientCommand {
      @Option(names = {"-w", "--write-out"}, defaultValue = "simple",
          description = "simple, table or json.") String writeOut;

      @Override
      int run(Clients clients) {
        List<Printer.EndpointStatus> all = new ArrayList<>();
        boolean failed = false;
        for (String ep : clients.endpoints()) {
          try {
            all.add(new Printer.EndpointStatus(ep, status(clients, ep)));
          } catch (RuntimeException e) {
            spec.commandLine().getErr().println("Failed to get the status of endpoint " + ep
                + " (" + Clients.errorMessage(e) + ")");
            failed = true;
          }
        }
        if ("json".equals(writeOut)) {
          all.forEach(s -> out().println("{\"Endpoint\":\"" + s.endpoint() + "\",\"Status\":"
              + Json.of(s.status()) + "}"));
        } else {
          out().print(Printer.endpointStatus(all, "table".equals(writeOut)));
        }
        return failed ? 1 : 0;
      }
    }

    /** etcdctl's simple format, one line per endpoint: {@code endpoint, hash}. */
    @Command(name = "hashkv", description = "Prints each endpoint's hash of its history: equal"
        + " hashes at one revision mean identical replicas.")
    static final class HashKv extends ClientCommand {
      @Option(names = "--rev", defaultValue = "0",
          description = "The revision to hash at (default: each member's current one).")
      long rev;

      @Override
      int run(Clients clients) {
        for (String ep : clients.endpoints()) {
          HashKVResponse r = clients.maintenance(clients.channelTo(ep))
              .hashKV(HashKVRequest.newBuilder().setRevision(rev).build());
          out().println(ep + ", " + Integer.toUnsignedString(r.getHash()));
        }
        return 0;
      }
    }

    /** Healthy when a linearizable read commits (permission denied counts: it went through). */
    @Command(name = "health", description = "Checks that each endpoint can commit.")
    static final class Health extends ClientCommand {
      @Override
      int run(Clients clients) {
        boolean unhealthy = false;
        for (String ep : clients.endpoints()) {
          long start = System.nanoTime();
          try {
            ManagedChannel ch = clients.channelTo(ep);
            clients.withDeadline(KVGrpc.newBlockingStub(ch)).range(RangeRequest.newBuilder()
                .setKey(KvCommands.bytes("health")).build());
          } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
              unhealthy = report(ep, e);
              continue;
            }
          } catch (Clients.Failure e) {
            unhealthy = report(ep, e);
            continue;
          }
          out().println(ep + " is healthy: successfully committed proposal: took = "
              + Printer.goDuration(System.nanoTime() - start));
        }
        if (unhealthy) {
          throw new Clients.Failure("unhealthy cluster");
        }
        return 0;
      }

      private boolean report(String ep, RuntimeException e) {
        spec.commandLine().getErr().println(ep + " is unhealthy: failed to commit proposal: "
            + Clients.errorMessage(e));
        return true;
      }
    }
  }

  static StatusResponse status(Clients clients, String endpoint) {
    return clients.maintenance(clients.channelTo(endpoint))
        .status(StatusRequest.getDefaultInstance());
  }

  /** Finds the endpoint whose member is the leader and asks it to hand leadership over. */
  @Command(name = "move-leader", description = "Transfers leadership to the given member.")
  public static final class MoveLeader extends ClientCommand {
    @Parameters(index = "0", paramLabel = "transferee-member-id") String target;

    @Override
    int run(Clients clients) {
      long targetId;
      try {
        targetId = Long.parseUnsignedLong(target, 16);
      } catch (NumberFormatException e) {
        throw new Clients.Failure("failed to parse member ID " + target + " (hex expected)");
      }
      for (String ep : clients.endpoints()) {
        StatusResponse s;
        try {
          s = status(clients, ep);
        } catch (RuntimeException e) {
          continue; // etcdctl too skips endpoints it cannot reach
        }
        long self = s.getHeader().getMemberId();
        if (s.getLeader() != 0 && s.getLeader() == self) {
          clients.maintenance(clients.channelTo(ep))
              .moveLeader(MoveLeaderRequest.newBuilder().setTargetID(targetId).build());
          out().println("Leadership transferred from " + Long.toHexString(self) + " to "
              + Long.toHexString(targetId));
          return 0;
        }
      }
      throw new Clients.Failure("no leader endpoint given at " + clients.endpoints());
    }
  }
}
