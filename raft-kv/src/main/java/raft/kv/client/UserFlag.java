package raft.kv.client;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * etcdctl's {@code --user name[:password]} and {@code --password}: with --password, --user is
 * the whole name; else the name ends at the first colon; no password at all is asked for
 * ("Password: " on the terminal, without echo; else a line of stdin).
 */
final class UserFlag {
  private UserFlag() {}

  static Clients authenticate(Clients c, String user, String password, InputStream in) {
    if (password != null) {
      return c.authenticateAs(user, password);
    }
    int colon = user.indexOf(':');
    if (colon >= 0) {
      return c.authenticateAs(user.substring(0, colon), user.substring(colon + 1));
    }
    return c.authenticateAs(user, ask(in));
  }

  private static String ask(InputStream in) {
    Console console = System.console();
    if (console != null) {
      char[] p = console.readPassword("Password: ");
      return p == null ? "" : new String(p);
    }
    try {
      String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
          .readLine();
      return line == null ? "" : line;
    } catch (IOException e) {
      throw new Clients.Failure("failed to read password: " + e.getMessage());
    }
  }
}
