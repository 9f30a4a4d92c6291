package raft.kv.server;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import raft.util.RateLimitedLog;

/**
 * A byte budget for the unary responses this member has in flight: from the moment a
 * response is handed to gRPC until gRPC has finished with its call (sent it all, or the
 * client went away). gRPC serializes a response whole into direct memory and keeps it there
 * until the client has read it, so eight concurrent 98 MB ranges once needed 784 MB of a
 * 256 MB member and failed with {@code CANCELLED: Server sendMessage() failed}, silently.
 *
 * <p>A response that fits in what is left is sent at once. One that does not waits its turn
 * in a bounded first-come-first-served queue (small ones may pass it when they fit, so a
 * large read never holds up a small one), for at most {@code maxWait}. Refused, with a log
 * line saying what and why: a response larger than the whole budget (etcd's gRPC server
 * would send it, up to its 2 GiB limit; this member has not the memory), one that finds the
 * queue full, and one still waiting at the end of its wait. Thread-safe.
 */
final class ResponseBudget {
  /** The current call's share of the budget, set by {@link BudgetInterceptor}. */
  static final Context.Key<Call> CALL = Context.key("response-budget-call");
  /** Responses up to this size may pass waiting large ones, and are sent on the caller's thread. */
  static final long SMALL_BYTES = 1024 * 1024;
  /**
   * What the smallest response costs: gRPC's Netty transport sends each message from a
   * direct buffer of at least 4 KiB, held until the client has read it.
   */
  static final long MIN_CHARGE = 4 * 1024;

  private final long limitBytes;
  private final int maxWaiting;
  private final Timer timer;
  private final Duration maxWait;
  private final Executor largeSends;
  private final Consumer<String> log;
  // Refusals, which a client can provoke at will: one line a second, the rest counted.
  private final RateLimitedLog refusals;
  private final ArrayDeque<Call> waiting = new ArrayDeque<>();
  private long inFlight;

  /**
   * @param largeSends runs the sends of responses over {@link #SMALL_BYTES}, so that
   *     serializing one never holds up the thread that completed it (the apply thread, or a
   *     Netty event loop serving other calls)
   */
  ResponseBudget(long limitBytes, int maxWaiting, Timer timer, Duration maxWait,
      Executor largeSends, Consumer<String> log) {
    this.limitBytes = limitBytes;
    this.maxWaiting = maxWaiting;
    this.timer = timer;
    this.maxWait = maxWait;
    this.largeSends = largeSends;
    this.log = log;
    this.refusals = new RateLimitedLog(log, "response refusals", 1, 1);
  }

  /**
   * Half of the direct memory this JVM may use (gRPC's Netty allocates there; by default as
   * much as the heap), leaving the rest for requests, peers and the pool's own slack.
   */
  static long defaultLimit() {
    return io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent.maxDirectMemory() / 2;
  }

  long limitBytes() {
    return limitBytes;
  }

  synchronized long inFlightBytes() {
    return inFlight;
  }

  synchronized int waitingCalls() {
    return waiting.size();
  }

  /** A new call's share; {@link Call#finished} must follow when gRPC is done with the call. */
  Call newCall(String method) {
    return new Call(method);
  }

  /** One call: at most one response, charged from its send until the call finishes. */
  final class Call {
    private final String method;
    private long bytes;
    private Runnable send;
    private Consumer<StatusRuntimeException> refuse;
    private Timeout timeout;
    private boolean granted;
    private boolean finished;

    private Call(String method) {
      this.method = method;
    }

    /**
     * Runs {@code send} once {@code bytes} (at least {@link #MIN_CHARGE}) fit in the budget,
     * or {@code refuse}s.
     */
    void send(long bytes, Runnable send, Consumer<StatusRuntimeException> refuse) {
      StatusRuntimeException refusal;
      boolean now;
      synchronized (ResponseBudget.this) {
        if (finished || granted || this.send != null) {
          return; // the client went away, or a second response: nothing to send
        }
        this.bytes = Math.max(bytes, MIN_CHARGE);
        this.send = send;
        this.refuse = refuse;
        refusal = admit(this);
        now = granted; // if queued, whoever grants it later runs it
      }
      if (refusal != null) {
        refuse.accept(refusal);
      } else if (now) {
        run(this);
      }
    }

    /** gRPC is done with the call (completed or cancelled): gives back its bytes. */
    void finished() {
      List<Call> next;
      synchronized (ResponseBudget.this) {
        if (finished) {
          return;
        }
        finished = true;
        if (granted) {
          inFlight -= bytes;
        } else if (waiting.remove(this) && timeout != null) {
          timeout.cancel();
        }
        next = grantWaiting();
      }
      next.forEach(ResponseBudget.this::run);
    }
  }

  /** Grants {@code c}, queues it, or returns why it is refused. Holds the lock. */
  private StatusRuntimeException admit(Call c) {
    if (c.bytes > limitBytes) {
      return refused(c, "it is larger than the whole budget of " + limitBytes + " bytes",
          Status.RESOURCE_EXHAUSTED.withDescription("grpc: trying to send message larger than"
              + " max (" + c.bytes + " vs. " + limitBytes + ")").asRuntimeException());
    }
    if ((waiting.isEmpty() || c.bytes <= SMALL_BYTES) && inFlight + c.bytes <= limitBytes) {
      grant(c);
      return null;
    }
    // A count bounds the waiting ones: a built range response holds the store's own values
    // (protobuf aliasing), not copies, so its bytes only cost memory once gRPC serializes it.
    if (waiting.size() >= maxWaiting) {
      return refused(c, maxWaiting + " responses are already waiting for the "
          + inFlight + " bytes in flight to be read", Errors.tooManyRequests());
    }
    waiting.add(c);
    c.timeout = timer.newTimeout(t -> expire(c), maxWait.toMillis(), TimeUnit.MILLISECONDS);
    return null;
  }

  private void grant(Call c) {
    c.granted = true;
    inFlight += c.bytes;
  }

  /** The waiting calls that now fit, in order, granted. Holds the lock. */
  private List<Call> grantWaiting() {
    if (waiting.isEmpty()) {
      return List.of(); // the common case: no allocation on every call's end
    }
    List<Call> next = new ArrayList<>();
    while (!waiting.isEmpty() && inFlight + waiting.peek().bytes <= limitBytes) {
      Call c = waiting.poll();
      c.timeout.cancel();
      grant(c);
      next.add(c);
    }
    return next;
  }

  private void expire(Call c) {
    StatusRuntimeException refusal;
    List<Call> next;
    synchronized (this) {
      if (!waiting.remove(c)) {
        return; // granted or finished meanwhile
      }
      refusal = refused(c, "it waited " + maxWait.toMillis() + " ms for the " + inFlight
          + " bytes in flight to be read", Errors.timedOut());
      next = grantWaiting(); // a smaller call behind it may fit now
    }
    c.refuse.accept(refusal);
    next.forEach(this::run);
  }

  private void run(Call c) {
    Runnable send = () -> {
      try {
        c.send.run();
      } catch (StatusRuntimeException gone) {
        c.finished(); // the call was cancelled under us: gRPC will not report it again
      } catch (RuntimeException e) {
        log.accept("could not send a " + c.bytes + "-byte " + c.method + " response: " + e);
        c.finished();
      } catch (Error e) {
        c.finished();
        throw e; // out of memory is the member's end, not this call's (FatalExit)
      }
    };
    if (c.bytes > SMALL_BYTES) {
      try {
        largeSends.execute(send);
      } catch (RejectedExecutionException stopping) {
        c.finished(); // the member is shutting down
      }
    } else {
      send.run();
    }
  }

  /** Logs a refusal (rate-limited) and returns its status. */
  private StatusRuntimeException refused(Call c, String why, StatusRuntimeException status) {
    refusals.accept("refused a " + c.bytes + "-byte " + c.method + " response: " + why + " ("
        + status.getStatus().getDescription() + ")");
    return status;
  }
}
