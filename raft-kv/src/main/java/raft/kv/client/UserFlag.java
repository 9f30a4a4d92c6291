package raft.kv.client;

import java.io.InputStream;

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
    return PasswordPrompt.ask("Password: ", in, true);
  }
}
