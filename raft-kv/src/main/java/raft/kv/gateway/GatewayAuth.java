package raft.kv.gateway;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaders;
import io.grpc.stub.MetadataUtils;

/**
 * The token of a JSON client, passed to the gRPC call as etcd's gateway (grpc-gateway) passes
 * it: the {@code Authorization} header's value as metadata {@code authorization} (what
 * {@code POST /v3/auth/authenticate} returned, sent bare, without a scheme), and a
 * {@code Grpc-Metadata-Token} header as metadata {@code token}. The member resolves it as it
 * resolves a gRPC client's.
 */
final class GatewayAuth {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TOKEN =
      Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);

  private GatewayAuth() {}

  /** {@code calls} carrying the request's token, or {@code calls} itself without one. */
  static Channel calls(Channel calls, HttpHeaders headers) {
    String authorization = headers.get("Authorization");
    String token = headers.get("Grpc-Metadata-Token");
    if (authorization == null && token == null) {
      return calls;
    }
    Metadata md = new Metadata();
    put(md, AUTHORIZATION, authorization);
    put(md, TOKEN, token);
    return ClientInterceptors.intercept(calls, MetadataUtils.newAttachHeadersInterceptor(md));
  }

  // A value gRPC cannot carry (control characters) is no token the member issued: it is sent
  // as one that resolves to "invalid auth token", rather than dropped (which would be no user).
  private static void put(Metadata md, Metadata.Key<String> key, String value) {
    if (value == null) {
      return;
    }
    try {
      md.put(key, value);
    } catch (IllegalArgumentException unsendable) {
      md.put(key, "invalid");
    }
  }
}
