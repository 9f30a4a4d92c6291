package raft.kv.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.kv.api.authpb.UserAddOptions;
import raft.kv.api.etcdserverpb.AuthRoleGetRequest;
import raft.kv.api.etcdserverpb.AuthUserAddRequest;
import raft.kv.api.etcdserverpb.AuthUserChangePasswordRequest;
import raft.kv.api.etcdserverpb.AuthUserDeleteRequest;
import raft.kv.api.etcdserverpb.AuthUserGetRequest;
import raft.kv.api.etcdserverpb.AuthUserGetResponse;
import raft.kv.api.etcdserverpb.AuthUserGrantRoleRequest;
import raft.kv.api.etcdserverpb.AuthUserListRequest;
import raft.kv.api.etcdserverpb.AuthUserRevokeRoleRequest;
import raft.kv.client.Clients;

/** etcdctl 3.4's {@code user} verbs, printing what etcdctl prints (printer_simple.go). */
@Command(name = "user", description = "User related commands.",
    subcommands = {UserCommand.Add.class, UserCommand.Delete.class, UserCommand.Get.class,
        UserCommand.ListUsers.class, UserCommand.Passwd.class, UserCommand.GrantRole.class,
        UserCommand.RevokeRole.class})
public final class UserCommand {
  private UserCommand() {}

  /**
   * A password not given on the command line: etcdctl asks twice on the terminal; with
   * --interactive=false (or no terminal) it reads one word of stdin.
   */
  static String readPassword(ClientCommand cmd, String user, boolean interactive) {
    java.io.Console console = System.console();
    if (interactive && console != null) {
      String p1 = new String(console.readPassword("Password of %s: ", user));
      if (p1.isEmpty()) {
        throw new Clients.Failure("empty password");
      }
      String p2 = new String(console.readPassword("Type password of %s again for "
          + "confirmation: ", user));
      if (!p1.equals(p2)) {
        throw new Clients.Failure("given passwords are different");
      }
      return p1;
    }
    try {
      String line = new BufferedReader(new InputStreamReader(cmd.root().in(),
          StandardCharsets.UTF_8)).readLine();
      return line == null ? "" : line.strip().split("\\s+", 2)[0];
    } catch (IOException e) {
      throw new Clients.Failure("failed to ask password: " + e.getMessage());
    }
  }

  @Command(name = "add", description = "Adds a new user.")
  static final class Add extends ClientCommand {
    @Parameters(paramLabel = "<user name or user:password>") String arg;
    @Option(names = "--interactive", arity = "1", defaultValue = "true",
        description = "Read password from stdin instead of interactive terminal.")
    boolean interactive;
    @Option(names = "--new-user-password", description = "Supply password from the command line"
        + " flag.") String fromFlag;
    @Option(names = "--no-password", description = "Create a user without password (CN based "
        + "auth only).") boolean noPassword;

    @Override
    int run(Clients clients) {
      String user = arg;
      String password = "";
      if (!noPassword && fromFlag != null && !fromFlag.isEmpty()) {
        password = fromFlag;
      } else if (!noPassword && arg.contains(":")) {
        user = arg.substring(0, arg.indexOf(':'));
        password = arg.substring(arg.indexOf(':') + 1);
        if (user.isEmpty()) {
          throw new Clients.Failure("empty user name is not allowed");
        }
      } else if (!noPassword) {
        password = readPassword(this, arg, interactive);
      }
      clients.auth().userAdd(AuthUserAddRequest.newBuilder().setName(user).setPassword(password)
          .setOptions(UserAddOptions.newBuilder().setNoPassword(noPassword)).build());
      out().println("User " + user + " created");
      return 0;
    }
  }

  @Command(name = "delete", description = "Deletes a user.")
  static final class Delete extends ClientCommand {
    @Parameters(paramLabel = "<user name>") String name;

    @Override
    int run(Clients clients) {
      clients.auth().userDelete(AuthUserDeleteRequest.newBuilder().setName(name).build());
      out().println("User " + name + " deleted");
      return 0;
    }
  }

  @Command(name = "get", description = "Gets detailed information of a user.")
  static final class Get extends ClientCommand {
    @Parameters(paramLabel = "<user name>") String name;
    @Option(names = "--detail", description = "Show permissions of roles granted to the user.")
    boolean detail;

    @Override
    int run(Clients clients) {
      AuthUserGetResponse r = clients.auth().userGet(
          AuthUserGetRequest.newBuilder().setName(name).build());
      if (!detail) {
        out().println("User: " + name);
        out().println("Roles:" + r.getRolesList().stream().map(x -> " " + x)
            .reduce("", String::concat));
        return 0;
      }
      out().println("User: " + name);
      for (String role : r.getRolesList()) {
        out().println();
        RoleCommand.print(out(), role, clients.auth().roleGet(
            AuthRoleGetRequest.newBuilder().setRole(role).build()));
      }
      return 0;
    }
  }

  @Command(name = "list", description = "Lists all users.")
  static final class ListUsers extends ClientCommand {
    @Override
    int run(Clients clients) {
      clients.auth().userList(AuthUserListRequest.getDefaultInstance()).getUsersList()
          .forEach(out()::println);
      return 0;
    }
  }

  @Command(name = "passwd", description = "Changes password of user.")
  static final class Passwd extends ClientCommand {
    @Parameters(paramLabel = "<user name>") String name;
    @Option(names = "--interactive", arity = "1", defaultValue = "true",
        description = "If true, read password from stdin instead of interactive terminal.")
    boolean interactive;

    @Override
    int run(Clients clients) {
      String password = readPassword(this, name, interactive);
      clients.auth().userChangePassword(AuthUserChangePasswordRequest.newBuilder()
          .setName(name).setPassword(password).build());
      out().println("Password updated");
      return 0;
    }
  }

  @Command(name = "grant-role", description = "Grants a role to a user.")
  static final class GrantRole extends ClientCommand {
    @Parameters(index = "0", paramLabel = "<user name>") String user;
    @Parameters(index = "1", paramLabel = "<role name>") String role;

    @Override
    int run(Clients clients) {
      clients.auth().userGrantRole(AuthUserGrantRoleRequest.newBuilder().setUser(user)
          .setRole(role).build());
      out().println("Role " + role + " is granted to user " + user);
      return 0;
    }
  }

  @Command(name = "revoke-role", description = "Revokes a role from a user.")
  static final class RevokeRole extends ClientCommand {
    @Parameters(index = "0", paramLabel = "<user name>") String user;
    @Parameters(index = "1", paramLabel = "<role name>") String role;

    @Override
    int run(Clients clients) {
      clients.auth().userRevokeRole(AuthUserRevokeRoleRequest.newBuilder().setName(user)
          .setRole(role).build());
      out().println("Role " + role + " is revoked from user " + user);
      return 0;
    }
  }
}
