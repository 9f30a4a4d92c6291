package raft.kv.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Which format {@code Maintenance.Snapshot} sends: etcd's (the default; what etcdctl gets) or
 * ours, asked for by {@code raftkv snapshot save --format raftkv} in a request header, since
 * etcd's SnapshotRequest has no field for it.
 */
public final class BackupFormat {
  /** The request header; its value is "etcd" or "raftkv". */
  public static final Metadata.Key<String> HEADER =
      Metadata.Key.of("raftkv-backup-format", Metadata.ASCII_STRING_MARSHALLER);
  public static final String ETCD = "etcd";
  public static final String RAFTKV = "raftkv";
  static final Context.Key<String> CHOSEN = Context.key("raftkv-backup-format");

  private BackupFormat() {}

  /** True if the current call asked for our own format. */
  static boolean ours() {
    return RAFTKV.equals(CHOSEN.get());
  }

  /** Puts the header's value in the call's context for {@link #ours}. */
  static final class Interceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      String format = headers.get(HEADER);
      if (format == null) {
        return next.startCall(call, headers);
      }
      return Contexts.interceptCall(Context.current().withValue(CHOSEN, format), call, headers,
          next);
    }
  }
}
