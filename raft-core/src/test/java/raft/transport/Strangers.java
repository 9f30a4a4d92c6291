package raft.transport;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;

/** Raw connections to a peer port that are no member: what a hostile client can send. */
public final class Strangers {
  private Strangers() {}

  /**
   * Connects, announces a frame of {@code length} bytes, then sends up to {@code bytes} of it;
   * stops quietly if the member closes the connection meanwhile (what it should do).
   */
  public static Socket prefixThenBytes(int port, int length, int bytes) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    DataOutputStream out = new DataOutputStream(s.getOutputStream());
    byte[] filler = new byte[64 << 10];
    try {
      out.writeInt(length);
      for (int sent = 0; sent < bytes; sent += filler.length) {
        out.write(filler);
      }
      out.flush();
    } catch (IOException closedByMember) {
      // the member closed the connection mid-write
    }
    return s;
  }
}
