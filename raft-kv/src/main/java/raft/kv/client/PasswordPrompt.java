package raft.kv.client;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** Reading a password from the terminal or stdin, for the CLI's --user and user commands. */
public final class PasswordPrompt {
  private PasswordPrompt() {}

  /**
   * Asks for a password: on the terminal without echo when {@code terminal} and there is one
   * (the prompt a format with {@code args}), else one line of {@code in} ("" at its end). The
   * one place our CLI reads a password (--user and the user commands).
   */
  public static String ask(String prompt, InputStream in, boolean terminal, Object... args) {
    Console console = System.console();
    if (terminal && console != null) {
      char[] p = console.readPassword(prompt, args);
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
