package raft.jepsen.client;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import raft.kv.client.ClientTls;
import raft.kv.client.Clients;

/**
 * How the harness opens a channel to a member's client endpoint ({@code host:port}): in plain
 * text, or over TLS with the cluster's CA and client certificate ({@code --tls}), and with
 * {@code --auth} carrying a user's token on every call ({@link AuthDialer}). One dialer serves
 * every thread; each channel is the caller's to shut down.
 */
@FunctionalInterface
public interface Dialer {
  ManagedChannel dial(String endpoint);

  Dialer PLAIN = endpoint -> ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();

  /** TLS with these files (etcdctl's --cacert --cert --key); {@link ClientTls#NONE}: plain. */
  static Dialer tls(ClientTls tls) {
    return tls.equals(ClientTls.NONE) ? PLAIN : endpoint -> Clients.dial(endpoint, tls);
  }
}
