package raft.kv.http;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import raft.kv.api.etcdserverpb.AlarmMember;
import raft.kv.apply.Alarms;

/**
 * etcd 3.4's {@code GET /health} (etcdhttp's checkHealth), as kubeadm's probes call it: healthy
 * unless an alarm is raised (except those named by {@code ?exclude=NOSPACE}), or no leader is
 * known, or a linearizable read does not succeed within a second ({@code ?serializable=true}
 * skips the read: a local check only). A healthy answer is etcd 3.4's, {@code
 * {"health":"true"}}; an unhealthy one adds etcd 3.5's {@code reason} ({@code {"health":"false",
 * "reason":"RAFT NO LEADER"}}), so that whoever asks sees why (3.4 says only false). The member
 * also logs it in etcd 3.4's words ("/health error due to memberID:1 alarm:NOSPACE ").
 */
public final class Health {

  /** What the check reads from the member. Every method must return at once. */
  public interface Member {
    /** The alarms raised in the cluster now. */
    List<AlarmMember> alarms();

    /** Whether this member knows a leader. */
    boolean hasLeader();

    /** Completes once a read served here now would be linearizable (ReadIndex, §6.4). */
    CompletableFuture<?> linearizableRead();
  }

  /**
   * The answer: {@code reason} is etcd 3.5's word for it, {@code logLine} what the member
   * logged in etcd 3.4's (both null when healthy).
   */
  public record Result(boolean healthy, String reason, String logLine) {
    static final Result HEALTHY = new Result(true, null, null);

    public String body() {
      if (healthy) {
        return "{\"health\":\"true\"}";
      }
      JsonObject o = new JsonObject();
      o.addProperty("health", "false");
      o.addProperty("reason", reason);
      return o.toString();
    }
  }

  /** etcd 3.4 waits one second for its check read ({@code QGET}). */
  public static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

  private final Member member;
  private final Duration readTimeout;
  private final Consumer<String> log;

  public Health(Member member, Duration readTimeout, Consumer<String> log) {
    this.member = member;
    this.readTimeout = readTimeout;
    this.log = log;
  }

  /** Never blocks: completes within the read timeout at most. */
  public CompletableFuture<Result> check(boolean serializable, Set<String> excludedAlarms) {
    for (AlarmMember a : member.alarms()) {
      if (!excludedAlarms.contains(a.getAlarm().name())) {
        return done(new Result(false, "ALARM " + a.getAlarm().name(),
            "/health error due to " + Alarms.describe(a)));
      }
    }
    if (!member.hasLeader()) {
      return done(new Result(false, "RAFT NO LEADER",
          "/health error; no leader (status code 503)"));
    }
    if (serializable) {
      return done(Result.HEALTHY);
    }
    CompletableFuture<Result> r = new CompletableFuture<>();
    member.linearizableRead().orTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ok, t) -> r.complete(t == null ? Result.HEALTHY
            : new Result(false, "QGET ERROR:" + describe(t),
                "/health error; QGET failed " + describe(t) + " (status code 503)")));
    return r.thenApply(this::logged);
  }

  private CompletableFuture<Result> done(Result r) {
    return CompletableFuture.completedFuture(logged(r));
  }

  private Result logged(Result r) {
    if (!r.healthy()) {
      log.accept(r.logLine());
    }
    return r;
  }

  private static String describe(Throwable t) {
    Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause() : t;
    if (c instanceof java.util.concurrent.TimeoutException) {
      return "etcdserver: request timed out";
    }
    // The read fails with the gRPC error a client would see; etcd logs its text alone.
    String m = io.grpc.Status.fromThrowable(c).getDescription();
    return m != null ? m : c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
  }
}
