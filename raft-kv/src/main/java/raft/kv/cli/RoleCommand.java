package raft.kv.cli;

import com.google.protobuf.ByteString;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.kv.api.authpb.Permission;
import raft.kv.api.etcdserverpb.AuthDisableRequest;
import raft.kv.api.etcdserverpb.AuthEnableRequest;
import raft.kv.api.etcdserverpb.AuthRoleAddRequest;
import raft.kv.api.etcdserverpb.AuthRoleDeleteRequest;
import raft.kv.api.etcdserverpb.AuthRoleGetRequest;
import raft.kv.api.etcdserverpb.AuthRoleGetResponse;
import raft.kv.api.etcdserverpb.AuthRoleGrantPermissionRequest;
import raft.kv.api.etcdserverpb.AuthRoleListRequest;
import raft.kv.api.etcdserverpb.AuthRoleRevokePermissionRequest;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.client.Clients;

/** etcdctl 3.4's {@code role} verbs, printing what etcdctl prints (printer_simple.go). */
@Command(name = "role", description = "Role related commands.",
    subcommands = {RoleCommand.Add.class, RoleCommand.Delete.class, RoleCommand.Get.class,
        RoleCommand.ListRoles.class, RoleCommand.Grant.class, RoleCommand.Revoke.class})
public final class RoleCommand {
  private RoleCommand() {}

  /** etcdctl's RoleGet: read permissions, then write ones; ranges as [key, end). */
  static void print(PrintWriter out, String role, AuthRoleGetResponse r) {
    out.println("Role " + role);
    out.println("KV Read:");
    for (Permission p : r.getPermList()) {
      if (p.getPermType() != Permission.Type.WRITE) {
        out.println(range(p));
      }
    }
    out.println("KV Write:");
    for (Permission p : r.getPermList()) {
      if (p.getPermType() != Permission.Type.READ) {
        out.println(range(p));
      }
    }
  }

  private static String range(Permission p) {
    String key = p.getKey().toStringUtf8();
    if (p.getRangeEnd().isEmpty()) {
      return "\t" + key;
    }
    String end = p.getRangeEnd().toStringUtf8();
    String s = end.equals("\0") ? "\t[" + key + ", <open ended>" : "\t[" + key + ", " + end + ")";
    return KvCommands.prefixEnd(p.getKey()).equals(p.getRangeEnd()) ? s + " (prefix " + key + ")"
        : s;
  }

  /** etcdctl's permRange: [key, end) from the arguments and --prefix / --from-key. */
  static ByteString[] permRange(String key, String end, boolean prefix, boolean fromKey) {
    if (prefix && fromKey) {
      throw new Clients.Failure("--from-key and --prefix flags are mutually exclusive");
    }
    if (key.isEmpty()) { // the whole key space: ["\0", end), "\0" being open ended
      return new ByteString[] {KvCommands.bytes("\0"),
          prefix || fromKey ? KvCommands.bytes("\0") : ByteString.EMPTY};
    }
    if (end != null && (prefix || fromKey)) {
      throw new Clients.Failure("unexpected endkey argument with --"
          + (prefix ? "prefix" : "from-key") + " flag");
    }
    ByteString k = KvCommands.bytes(key);
    ByteString e = end != null ? KvCommands.bytes(end) : prefix ? KvCommands.prefixEnd(k)
        : fromKey ? KvCommands.bytes("\0") : ByteString.EMPTY;
    return new ByteString[] {k, e};
  }

  @Command(name = "add", description = "Adds a new role.")
  static final class Add extends ClientCommand {
    @Parameters(paramLabel = "<role name>") String name;

    @Override
    int run(Clients clients) {
      clients.auth().roleAdd(AuthRoleAddRequest.newBuilder().setName(name).build());
      out().println("Role " + name + " created");
      return 0;
    }
  }

  @Command(name = "delete", description = "Deletes a role.")
  static final class Delete extends ClientCommand {
    @Parameters(paramLabel = "<role name>") String name;

    @Override
    int run(Clients clients) {
      clients.auth().roleDelete(AuthRoleDeleteRequest.newBuilder().setRole(name).build());
      out().println("Role " + name + " deleted");
      return 0;
    }
  }

  @Command(name = "get", description = "Gets detailed information of a role.")
  static final class Get extends ClientCommand {
    @Parameters(paramLabel = "<role name>") String name;

    @Override
    int run(Clients clients) {
      print(out(), name, clients.auth().roleGet(
          AuthRoleGetRequest.newBuilder().setRole(name).build()));
      return 0;
    }
  }

  @Command(name = "list", description = "Lists all roles.")
  static final class ListRoles extends ClientCommand {
    @Override
    int run(Clients clients) {
      clients.auth().roleList(AuthRoleListRequest.getDefaultInstance()).getRolesList()
          .forEach(out()::println);
      return 0;
    }
  }

  @Command(name = "grant-permission",
      description = "Grants a key to a role (read, write or readwrite).")
  static final class Grant extends ClientCommand {
    @Parameters(index = "0", paramLabel = "<role name>") String role;
    @Parameters(index = "1", paramLabel = "<permission type>") String type;
    @Parameters(index = "2", paramLabel = "<key>") String key;
    @Parameters(index = "3", arity = "0..1", paramLabel = "[endkey]") String end;
    @Option(names = "--prefix", arity = "0..1", description = "grant a prefix permission")
    boolean prefix;
    @Option(names = "--from-key", arity = "0..1", description = "grant a permission of keys "
        + "that are greater than or equal to the given key using byte compare")
    boolean fromKey;

    @Override
    int run(Clients clients) {
      Permission.Type t = switch (type.toLowerCase(java.util.Locale.ROOT)) {
        case "read" -> Permission.Type.READ;
        case "write" -> Permission.Type.WRITE;
        case "readwrite" -> Permission.Type.READWRITE;
        default -> throw new Clients.Failure("invalid permission type: " + type);
      };
      ByteString[] r = permRange(key, end, prefix, fromKey);
      clients.auth().roleGrantPermission(AuthRoleGrantPermissionRequest.newBuilder()
          .setName(role).setPerm(Permission.newBuilder().setPermType(t).setKey(r[0])
              .setRangeEnd(r[1])).build());
      out().println("Role " + role + " updated");
      return 0;
    }
  }

  @Command(name = "revoke-permission", description = "Revokes a key from a role.")
  static final class Revoke extends ClientCommand {
    @Parameters(index = "0", paramLabel = "<role name>") String role;
    @Parameters(index = "1", paramLabel = "<key>") String key;
    @Parameters(index = "2", arity = "0..1", paramLabel = "[endkey]") String end;
    @Option(names = "--prefix", arity = "0..1", description = "revoke a prefix permission")
    boolean prefix;
    @Option(names = "--from-key", arity = "0..1", description = "revoke a permission of keys "
        + "that are greater than or equal to the given key using byte compare")
    boolean fromKey;

    @Override
    int run(Clients clients) {
      ByteString[] r = permRange(key, end, prefix, fromKey);
      clients.auth().roleRevokePermission(AuthRoleRevokePermissionRequest.newBuilder()
          .setRole(role).setKey(r[0]).setRangeEnd(r[1]).build());
      String e = r[1].toStringUtf8();
      out().println(e.isEmpty() ? "Permission of key " + key + " is revoked from role " + role
          : e.equals("\0") ? "Permission of range [" + key + ", <open ended> is revoked from role "
              + role : "Permission of range [" + key + ", " + e + ") is revoked from role " + role);
      return 0;
    }
  }

  /** etcdctl's {@code auth enable} and {@code auth disable}. */
  @Command(name = "auth", description = "Enable or disable authentication.",
      subcommands = {Enable.class, Disable.class})
  public static final class AuthCommand {
    private AuthCommand() {}
  }

  /** As etcdctl: a root user without the root role is given it (the role made if need be). */
  @Command(name = "enable", description = "Enables authentication.")
  static final class Enable extends ClientCommand {
    @Override
    int run(Clients clients) {
      try {
        clients.auth().authEnable(AuthEnableRequest.getDefaultInstance());
      } catch (io.grpc.StatusRuntimeException e) {
        if (!"etcdserver: root user does not have root role".equals(
            e.getStatus().getDescription())) {
          throw e;
        }
        clients.auth().roleAdd(AuthRoleAddRequest.newBuilder().setName("root").build());
        clients.auth().userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser("root")
            .setRole("root").build());
        clients.auth().authEnable(AuthEnableRequest.getDefaultInstance());
      }
      out().println("Authentication Enabled");
      return 0;
    }
  }

  @Command(name = "disable", description = "Disables authentication.")
  static final class Disable extends ClientCommand {
    @Override
    int run(Clients clients) {
      clients.auth().authDisable(AuthDisableRequest.getDefaultInstance());
      out().println("Authentication Disabled");
      return 0;
    }
  }
}
