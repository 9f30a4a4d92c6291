package raft.kv.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.Member;
import raft.kv.apply.ApplyResult;
import raft.kv.apply.Membership;
import raft.kv.pb.InternalRequest;

/**
 * etcd's publish: once this member is in the registry, it announces its name and client URL
 * through the log, so every member's MemberList shows them and the strict reconfiguration
 * check counts it as started. A member added at runtime has neither until then (etcdctl shows
 * it "unstarted"); a restarted one whose client address changed corrects it. Retried by the
 * caller's timer until the registry says what this member would publish; one at a time.
 */
final class Publisher {
  private final long self;
  private final String name;
  private final String clientUrl;
  private final Supplier<Membership.View> registry;
  private final RaftGateway raft;
  private final Consumer<String> log;
  private final AtomicBoolean inFlight = new AtomicBoolean();

  Publisher(long self, String name, String clientUrl, Supplier<Membership.View> registry,
      RaftGateway raft, Consumer<String> log) {
    this.self = self;
    this.name = name;
    this.clientUrl = clientUrl;
    this.registry = registry;
    this.raft = raft;
    this.log = log;
  }

  void publishIfNeeded() {
    Member me = registry.get().member(self).orElse(null);
    if (me == null || (me.getName().equals(name)
        && me.getClientURLsList().equals(List.of(clientUrl)))
        || !inFlight.compareAndSet(false, true)) {
      return;
    }
    Member attrs = Member.newBuilder().setID(self).setName(name).addClientURLs(clientUrl)
        .build();
    raft.propose(InternalRequest.newBuilder().setPublish(attrs), ApplyResult.Published.class)
        .whenComplete((r, t) -> {
          inFlight.set(false);
          if (t == null && r.response().getID() == self) {
            log.accept("published name " + name + " and client URL " + clientUrl);
          }
        });
  }
}
