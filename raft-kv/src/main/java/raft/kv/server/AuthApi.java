package raft.kv.server;

import io.grpc.ServerServiceDefinition;
import java.util.function.Supplier;
import raft.kv.auth.AuthView;
import raft.kv.auth.PasswordChecker;
import raft.kv.auth.TokenKeeper;

/**
 * A member's auth parts beside the replicated state: its simple tokens (in memory, one keeper
 * per member, registered by the state machine as Authenticate entries apply) and its bcrypt
 * pool; and the Auth service built on them. Kept out of KvServer, which only holds one of these.
 */
final class AuthApi implements AutoCloseable {
  private final TokenKeeper tokens = new TokenKeeper();
  private final PasswordChecker passwords = PasswordChecker.defaults();

  TokenKeeper tokens() {
    return tokens;
  }

  /**
   * Called once the log is recovered, before anything is applied: tokens of the Authenticate
   * entries up to the log's end were issued before this start and must not come back.
   */
  void recovered(long lastIndex) {
    tokens.ignoreUpTo(lastIndex);
  }

  /** etcd's Auth service on this member. */
  ServerServiceDefinition service(RaftGateway raft, Headers headers, Supplier<AuthView> view) {
    // The caller comes from AuthInterceptor, which every service of the etcd API passes.
    return new AuthService(raft, headers, view, passwords).bindService();
  }

  @Override
  public void close() {
    passwords.close();
  }
}
