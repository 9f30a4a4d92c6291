package raft.kv.server;

/** One member: Raft runtime, peer transport, state machine and the etcd v3 gRPC API. */
public final class KvServer {
  private KvServer() {}

  /** Runs a member until the process is stopped. Placeholder until the server lands. */
  public static void run(ServerConfig config) throws Exception {
    throw new UnsupportedOperationException("raftkv server is not built yet");
  }
}
