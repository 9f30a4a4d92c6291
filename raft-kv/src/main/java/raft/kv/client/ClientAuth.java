package raft.kv.client;

import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import raft.kv.api.etcdserverpb.AuthGrpc;
import raft.kv.api.etcdserverpb.AuthenticateRequest;

/**
 * clientv3's simple-token auth for our CLI: with etcdctl's {@code --user} (and
 * {@code --password}), authenticate once, then every call carries the token as metadata
 * {@code token}. A member that does not know the token (it restarted; five idle minutes) or
 * whose auth state moved answers with an error the command is retried once after, with a new
 * token (clientv3's shouldRefreshToken). Auth not enabled: no token, as clientv3.
 */
final class ClientAuth {
  static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> REFRESH_ON = Set.of("etcdserver: invalid auth token",
      "etcdserver: revision of auth store is old", "etcdserver: user name is empty");

  private final String user;
  private final String password;
  private boolean asked;
  private Metadata token; // null: none (not asked yet, or auth is not enabled)

  ClientAuth(String user, String password) {
    this.user = user;
    this.password = password;
  }

  /** {@code stub} carrying the token, authenticating first if not done yet. */
  <T extends AbstractStub<T>> T apply(T stub, Supplier<Channel> channel, Duration timeout) {
    if (!asked) {
      token = authenticate(channel.get(), timeout);
      asked = true;
    }
    return token == null ? stub : stub.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(token));
  }

  private Metadata authenticate(Channel channel, Duration timeout) {
    try {
      String t = AuthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .authenticate(AuthenticateRequest.newBuilder().setName(user).setPassword(password)
              .build())
          .getToken();
      Metadata md = new Metadata();
      md.put(TOKEN, t);
      return md;
    } catch (StatusRuntimeException e) {
      if ("etcdserver: authentication is not enabled".equals(e.getStatus().getDescription())) {
        return null;
      }
      throw new Clients.BadConnection(Clients.errorMessage(e), e); // etcdctl exits 2 then
    }
  }

  /** Whether the command should be run again after {@code t}: a new token is then fetched. */
  boolean refreshAfter(Throwable t) {
    if (t instanceof StatusRuntimeException e
        && REFRESH_ON.contains(e.getStatus().getDescription())) {
      asked = false;
      token = null;
      return true;
    }
    return false;
  }
}
