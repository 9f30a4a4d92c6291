package raft.kv.gateway;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * etcd 3.4's gateway paths (its rpc.proto's {@code google.api.http} options), each naming one
 * gRPC method, under {@code /v3/} and {@code /v3beta/} as etcd 3.4 serves them. A method that
 * our services do not have is simply not routed (404, as for any unknown path).
 */
final class Routes {
  static final List<String> PREFIXES = List.of("/v3", "/v3beta");

  /** One path: the method, its request's empty message, and whether its call streams. */
  record Route(MethodDescriptor<Message, Message> method, Message prototype) {
    boolean streams() {
      return !method.getType().serverSendsOneMessage();
    }

    /**
     * Whether the request side is half-closed once every request of the body is answered.
     * etcd's keep-alive stream ends once its client stops sending (the answers sent first): a
     * gateway client reads the whole body, so the stream must end; ours would end at once on a
     * half-close, before the renewal's answer, so the half-close waits for the answers. etcd's
     * watch stream stays open when its client stops sending (a curl watch waits for events),
     * while ours would end: so a watch's request side stays open until the connection closes.
     */
    boolean halfCloseWhenAnswered() {
      return method.getFullMethodName().equals("etcdserverpb.Lease/LeaseKeepAlive");
    }
  }

  /** etcd 3.4's path (after the prefix) of each method, with its aliases. */
  private static final Map<String, List<String>> PATHS = Map.ofEntries(
      Map.entry("etcdserverpb.KV/Range", List.of("/kv/range")),
      Map.entry("etcdserverpb.KV/Put", List.of("/kv/put")),
      Map.entry("etcdserverpb.KV/DeleteRange", List.of("/kv/deleterange")),
      Map.entry("etcdserverpb.KV/Txn", List.of("/kv/txn")),
      Map.entry("etcdserverpb.KV/Compact", List.of("/kv/compaction")),
      Map.entry("etcdserverpb.Watch/Watch", List.of("/watch")),
      Map.entry("etcdserverpb.Lease/LeaseGrant", List.of("/lease/grant")),
      Map.entry("etcdserverpb.Lease/LeaseRevoke", List.of("/lease/revoke", "/kv/lease/revoke")),
      Map.entry("etcdserverpb.Lease/LeaseKeepAlive", List.of("/lease/keepalive")),
      Map.entry("etcdserverpb.Lease/LeaseTimeToLive",
          List.of("/lease/timetolive", "/kv/lease/timetolive")),
      Map.entry("etcdserverpb.Lease/LeaseLeases", List.of("/lease/leases", "/kv/lease/leases")),
      Map.entry("etcdserverpb.Cluster/MemberAdd", List.of("/cluster/member/add")),
      Map.entry("etcdserverpb.Cluster/MemberRemove", List.of("/cluster/member/remove")),
      Map.entry("etcdserverpb.Cluster/MemberUpdate", List.of("/cluster/member/update")),
      Map.entry("etcdserverpb.Cluster/MemberList", List.of("/cluster/member/list")),
      Map.entry("etcdserverpb.Cluster/MemberPromote", List.of("/cluster/member/promote")),
      Map.entry("etcdserverpb.Maintenance/Alarm", List.of("/maintenance/alarm")),
      Map.entry("etcdserverpb.Maintenance/Status", List.of("/maintenance/status")),
      Map.entry("etcdserverpb.Maintenance/Defragment", List.of("/maintenance/defragment")),
      // etcd's rpc.proto gives Hash and HashKV the same path; its gateway answers with Hash.
      Map.entry("etcdserverpb.Maintenance/Hash", List.of("/maintenance/hash")),
      Map.entry("etcdserverpb.Maintenance/Snapshot", List.of("/maintenance/snapshot")),
      Map.entry("etcdserverpb.Maintenance/MoveLeader",
          List.of("/maintenance/transfer-leadership")),
      Map.entry("etcdserverpb.Auth/AuthEnable", List.of("/auth/enable")),
      Map.entry("etcdserverpb.Auth/AuthDisable", List.of("/auth/disable")),
      Map.entry("etcdserverpb.Auth/Authenticate", List.of("/auth/authenticate")),
      Map.entry("etcdserverpb.Auth/UserAdd", List.of("/auth/user/add")),
      Map.entry("etcdserverpb.Auth/UserGet", List.of("/auth/user/get")),
      Map.entry("etcdserverpb.Auth/UserList", List.of("/auth/user/list")),
      Map.entry("etcdserverpb.Auth/UserDelete", List.of("/auth/user/delete")),
      Map.entry("etcdserverpb.Auth/UserChangePassword", List.of("/auth/user/changepw")),
      Map.entry("etcdserverpb.Auth/UserGrantRole", List.of("/auth/user/grant")),
      Map.entry("etcdserverpb.Auth/UserRevokeRole", List.of("/auth/user/revoke")),
      Map.entry("etcdserverpb.Auth/RoleAdd", List.of("/auth/role/add")),
      Map.entry("etcdserverpb.Auth/RoleGet", List.of("/auth/role/get")),
      Map.entry("etcdserverpb.Auth/RoleList", List.of("/auth/role/list")),
      Map.entry("etcdserverpb.Auth/RoleDelete", List.of("/auth/role/delete")),
      Map.entry("etcdserverpb.Auth/RoleGrantPermission", List.of("/auth/role/grant")),
      Map.entry("etcdserverpb.Auth/RoleRevokePermission", List.of("/auth/role/revoke")));

  private Routes() {}

  /** Every routed path of these services, both prefixes. */
  @SuppressWarnings("unchecked")
  static Map<String, Route> of(List<ServiceDescriptor> services) {
    Map<String, Route> routes = new HashMap<>();
    for (ServiceDescriptor s : services) {
      for (MethodDescriptor<?, ?> m : s.getMethods()) {
        List<String> paths = PATHS.get(m.getFullMethodName());
        if (paths == null) {
          continue;
        }
        MethodDescriptor<Message, Message> md = (MethodDescriptor<Message, Message>) m;
        Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>)
            m.getRequestMarshaller()).getMessagePrototype();
        for (String prefix : PREFIXES) {
          for (String p : paths) {
            routes.put(prefix + p, new Route(md, prototype));
          }
        }
      }
    }
    return routes;
  }

  /** Whether a path is the gateway's (its 404 differs from the other paths'). */
  static boolean gatewayPath(String path) {
    return PREFIXES.stream().anyMatch(p -> path.startsWith(p + "/"));
  }
}
