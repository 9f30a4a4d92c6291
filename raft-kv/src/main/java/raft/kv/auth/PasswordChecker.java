package raft.kv.auth;

import com.google.protobuf.ByteString;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import raft.kv.api.authpb.User;

/**
 * bcrypt work, off the apply thread and off gRPC's event loops: checking a password at
 * Authenticate (etcd's CheckPassword, ~50-100 ms of CPU at cost 10) and hashing one before a
 * UserAdd or UserChangePassword is proposed. A small pool with a bounded queue: a flood of
 * wrong passwords occupies these threads only, and once the queue is full the next request is
 * refused at once with etcd's "etcdserver: too many requests" rather than queued without bound;
 * everything else the member does goes on.
 */
public final class PasswordChecker implements AutoCloseable {
  private final ThreadPoolExecutor pool;

  public PasswordChecker(int threads, int queued) {
    this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queued), r -> {
          Thread t = new Thread(r, "bcrypt");
          t.setDaemon(true);
          return t;
        }, new ThreadPoolExecutor.AbortPolicy());
  }

  /** One thread per core up to two, 64 waiting: a member's default. */
  public static PasswordChecker defaults() {
    return new PasswordChecker(Math.min(2, Runtime.getRuntime().availableProcessors()), 64);
  }

  /**
   * etcd's CheckPassword against {@code view}: completes with the auth revision the password
   * was checked at, or exceptionally with etcd's refusal (authentication is not enabled;
   * authentication failed, for an unknown user as for a wrong password; a no-password user).
   */
  public CompletableFuture<Long> check(AuthView view, String name, String password) {
    AuthState s = (AuthState) view;
    if (!s.enabled()) {
      return CompletableFuture.failedFuture(AuthException.authNotEnabled());
    }
    User u = s.user(name).orElse(null);
    if (u == null) {
      return CompletableFuture.failedFuture(AuthException.authFailed());
    }
    if (u.getOptions().getNoPassword()) {
      return CompletableFuture.failedFuture(AuthException.noPasswordUser());
    }
    return submit(() -> {
      if (!Passwords.matches(u.getPassword(), password)) {
        throw AuthException.authFailed();
      }
      return s.revision();
    });
  }

  /** A new bcrypt hash of {@code password}, made on the pool. */
  public CompletableFuture<ByteString> hash(String password) {
    return submit(() -> Passwords.hash(password));
  }

  private <T> CompletableFuture<T> submit(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, pool);
    } catch (RejectedExecutionException full) {
      return CompletableFuture.failedFuture(pool.isShutdown()
          ? new IllegalStateException("the member is stopping")
          : AuthException.tooManyRequests());
    }
  }

  /** Requests waiting for a thread now (tests). */
  public int queued() {
    return pool.getQueue().size();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
