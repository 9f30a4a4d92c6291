package raft.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A 3-member cluster with TLS on both ports and certificates required on both (etcd's
 * --client-cert-auth and --peer-client-cert-auth), beside real etcd 3.4 with the same client
 * flags: real etcdctl and our CLI work with --cacert --cert --key; every client that should be
 * refused is refused at the handshake with etcdctl's own words against both, the members keep
 * serving and nothing is written; a member whose peer certificate comes from another CA cannot
 * join. Ports: offset 140 for the cluster, 280 for etcd, a plain member and the intruder.
 */
class TlsClusterTest {
  private static final int[] CLIENT = {2379 + 140, 22379 + 140, 32379 + 140};
  private static final int[] PEER = {12380 + 140, 22380 + 140, 32380 + 140};
  private static final int ETCD_CLIENT = 2379 + 280;
  private static final int ETCD_PEER = 12380 + 280;
  private static final int PLAIN_CLIENT = 22379 + 280;
  private static final int PLAIN_PEER = 22380 + 280;
  private static final int INTRUDER_CLIENT = 32379 + 280;
  private static final int INTRUDER_PEER = 32380 + 280;
  private static final Path DIR = LocalCluster.REPO.resolve("raft-tests/target/clusters/tls");

  private static Path certs;
  private static Path otherCa;
  private static final List<MemberProcess> members = new ArrayList<>();
  private static MemberProcess etcd;
  private static MemberProcess plain;
  private static final ExecutorService POOL = Executors.newFixedThreadPool(9, r -> {
    Thread t = new Thread(r, "etcdctl");
    t.setDaemon(true);
    return t;
  });

  @BeforeAll
  static void start() throws Exception {
    Preconditions.requireEtcdctl();
    LocalCluster.run(List.of("rm", "-rf", DIR.toString()), null, 30);
    certs = TlsCerts.make(DIR.resolve("certs"), 4);
    otherCa = TlsCerts.make(DIR.resolve("other-ca"), 1);
    TlsCerts.expiredClient(certs);
    String cluster = "n1=https://127.0.0.1:" + PEER[0] + ",n2=https://127.0.0.1:" + PEER[1]
        + ",n3=https://127.0.0.1:" + PEER[2];
    for (int k = 1; k <= 3; k++) {
      List<String> flags = new ArrayList<>(List.of("--name", "n" + k, "--initial-cluster",
          cluster, "--listen-client-urls", "https://127.0.0.1:" + CLIENT[k - 1],
          "--listen-peer-urls", "https://127.0.0.1:" + PEER[k - 1],
          "--data-dir", DIR.resolve("n" + k).toString()));
      flags.addAll(tlsFlags(certs, "n" + k, certs));
      members.add(MemberProcess.raftkv(DIR.resolve("n" + k + ".log"), flags));
    }
    etcd = MemberProcess.command(etcdCommand(), DIR.resolve("etcd.log"));
    plain = MemberProcess.raftkv(DIR.resolve("plain.log"), List.of("--name", "p1",
        "--initial-cluster", "p1=http://127.0.0.1:" + PLAIN_PEER, "--listen-client-urls",
        "http://127.0.0.1:" + PLAIN_CLIENT, "--data-dir", DIR.resolve("plain").toString()));
    awaitWritable(endpoint(1), "the TLS cluster");
    awaitWritable("https://127.0.0.1:" + ETCD_CLIENT, "etcd");
    awaitWritable("http://127.0.0.1:" + PLAIN_CLIENT, "the plain member");
  }

  /** Every TLS flag of a member: its own certificate on both ports, the CA, both cert-auths. */
  private static List<String> tlsFlags(Path dir, String name, Path ca) {
    String crt = dir.resolve(name + ".crt").toString();
    String key = dir.resolve(name + ".key").toString();
    String caFile = ca.resolve("ca.crt").toString();
    return List.of("--cert-file", crt, "--key-file", key, "--trusted-ca-file", caFile,
        "--client-cert-auth", "--peer-cert-file", crt, "--peer-key-file", key,
        "--peer-trusted-ca-file", caFile, "--peer-client-cert-auth");
  }

  private static List<String> etcdCommand() {
    String client = "https://127.0.0.1:" + ETCD_CLIENT;
    String peer = "http://127.0.0.1:" + ETCD_PEER;
    List<String> cmd = new ArrayList<>(List.of("etcd", "--name", "e1", "--data-dir",
        DIR.resolve("etcd").toString(), "--listen-client-urls", client,
        "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", "e1=" + peer));
    cmd.addAll(List.of("--cert-file", certs.resolve("n1.crt").toString(), "--key-file",
        certs.resolve("n1.key").toString(), "--trusted-ca-file",
        certs.resolve("ca.crt").toString(), "--client-cert-auth"));
    return cmd;
  }

  @AfterAll
  static void stop() throws Exception {
    POOL.shutdownNow();
    for (MemberProcess m : members) {
      m.close();
    }
    if (etcd != null) {
      etcd.close();
    }
    if (plain != null) {
      plain.close();
    }
  }

  private static String endpoint(int k) {
    return "https://127.0.0.1:" + CLIENT[k - 1];
  }

  private static List<String> goodFlags() {
    return List.of("--cacert=" + certs.resolve("ca.crt"), "--cert=" + certs.resolve("client.crt"),
        "--key=" + certs.resolve("client.key"));
  }

  private static LocalCluster.Result etcdctl(String endpoint, List<String> tls, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint,
        "--dial-timeout=2s", "--command-timeout=5s"));
    cmd.addAll(tls);
    cmd.addAll(List.of(args));
    return LocalCluster.run(cmd, null, 30);
  }

  private static void awaitWritable(String endpoint, String what) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    LocalCluster.Result last = null;
    List<String> tls = endpoint.startsWith("https") ? goodFlags() : List.of();
    while (System.nanoTime() < deadline) {
      last = etcdctl(endpoint, tls, "put", "ready", "yes");
      if (last.exit() == 0) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(what + " did not take a put within 60 s: " + last);
  }

  /** etcdctl's last line ("Error: ..."), the Go client's retry warnings before it left out. */
  private static String errorLine(LocalCluster.Result r) {
    String[] lines = r.out().strip().split("\n");
    return lines[lines.length - 1];
  }

  @Test
  @DisplayName("real etcdctl 3.4 and scripts/raftkv put and get with --cacert --cert --key,"
      + " through any member")
  void clientsWithCertificates() throws Exception {
    LocalCluster.Result put = etcdctl(endpoint(2), goodFlags(), "put", "tls/k", "v1");
    assertEquals("OK\n", put.out(), put::toString);
    for (int k = 1; k <= 3; k++) {
      LocalCluster.Result get = etcdctl(endpoint(k), goodFlags(), "get", "tls/k");
      assertEquals("tls/k\nv1\n", get.out(), get::toString);
    }
    List<String> ours = new ArrayList<>(List.of(
        LocalCluster.REPO.resolve("scripts/raftkv").toString(), "--endpoints=" + endpoint(3)));
    ours.addAll(goodFlags());
    List<String> put2 = new ArrayList<>(ours);
    put2.addAll(List.of("put", "tls/ours", "v2"));
    LocalCluster.Result r = LocalCluster.run(put2, null, 60);
    assertEquals("OK\n", r.out(), r::toString);
    LocalCluster.Result got = etcdctl(endpoint(1), goodFlags(), "get", "tls/ours");
    assertEquals("tls/ours\nv2\n", got.out(), got::toString);
  }

  @Test
  @DisplayName("no certificate, another CA's, an expired one, plain text on the TLS port, TLS on"
      + " a plain port: refused as etcd refuses them, in etcdctl's words; nothing written")
  void refusedClientsAsEtcd() throws Exception {
    String ca = "--cacert=" + certs.resolve("ca.crt");
    String etcdTls = "https://127.0.0.1:" + ETCD_CLIENT;
    List<List<String>> bad = List.of(
        List.of(ca),
        List.of(ca, "--cert=" + otherCa.resolve("client.crt"),
            "--key=" + otherCa.resolve("client.key")),
        List.of(ca, "--cert=" + certs.resolve("expired.crt"),
            "--key=" + certs.resolve("expired.key")));
    // Each refused etcdctl waits out its command timeout: all at once, each against us and etcd.
    List<CompletableFuture<LocalCluster.Result>> ours = new ArrayList<>();
    List<CompletableFuture<LocalCluster.Result>> theirs = new ArrayList<>();
    for (List<String> tls : bad) {
      ours.add(refusedPut(endpoint(1), tls));
      theirs.add(refusedPut(etcdTls, tls));
    }
    // Plain text on a TLS port (ours, etcd's); TLS on a plain port (our plain member: etcd
    // serves no plain client port beside its TLS one here).
    ours.add(refusedPut("http://127.0.0.1:" + CLIENT[0], List.of()));
    theirs.add(refusedPut("http://127.0.0.1:" + ETCD_CLIENT, List.of()));
    CompletableFuture<LocalCluster.Result> tlsOnPlain = refusedPut(
        "https://127.0.0.1:" + PLAIN_CLIENT, goodFlags());
    for (int i = 0; i < ours.size(); i++) {
      LocalCluster.Result o = ours.get(i).get();
      LocalCluster.Result t = theirs.get(i).get();
      assertEquals(1, o.exit(), o::toString);
      assertEquals(errorLine(t), errorLine(o), "case " + i + ": ours " + o + "\netcd's " + t);
    }
    LocalCluster.Result p = tlsOnPlain.get();
    assertEquals(1, p.exit(), p::toString);
    assertEquals("Error: context deadline exceeded", errorLine(p), p::toString);
    for (String ep : List.of(endpoint(1), endpoint(2))) {
      LocalCluster.Result none = etcdctl(ep, goodFlags(), "get", "refused/", "--prefix");
      assertEquals("", none.out(), none::toString);
    }
    LocalCluster.Result plainNone = etcdctl("http://127.0.0.1:" + PLAIN_CLIENT, List.of(), "get",
        "refused/", "--prefix");
    assertEquals("", plainNone.out(), plainNone::toString);
    LocalCluster.Result get = etcdctl(endpoint(1), goodFlags(), "get", "ready");
    assertEquals("ready\nyes\n", get.out(), get::toString);
  }

  private static CompletableFuture<LocalCluster.Result> refusedPut(String endpoint,
      List<String> tls) {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint,
        "--dial-timeout=2s", "--command-timeout=3s"));
    cmd.addAll(tls);
    cmd.addAll(List.of("put", "refused/x", "1"));
    return CompletableFuture.supplyAsync(() -> {
      try {
        return LocalCluster.run(cmd, null, 30);
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, POOL);
  }

  @Test
  @DisplayName("garbage bytes on the TLS client port: the connection closes, the member serves")
  void garbageOnTheTlsPort() throws Exception {
    try (Socket s = new Socket("127.0.0.1", CLIENT[0])) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write("GARBAGE\r\n\r\nnot a TLS record at all\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int total = 0;
      try {
        for (int n = in.read(buf); n >= 0 && total < 1 << 16; n = in.read(buf)) {
          total += n; // at most a TLS alert, then the close
        }
      } catch (java.net.SocketException reset) {
        // a reset is a close too
      }
      assertTrue(total < 64, "answered " + total + " bytes to garbage");
    }
    LocalCluster.Result get = etcdctl(endpoint(1), goodFlags(), "get", "ready");
    assertEquals("ready\nyes\n", get.out(), get::toString);
  }

  @Test
  @DisplayName("a member whose peer certificate another CA signed cannot join; each member logs"
      + " the refusal once, naming the certificate, and keeps serving")
  void peerFromAnotherCaCannotJoin() throws Exception {
    String peerUrl = "https://127.0.0.1:" + INTRUDER_PEER;
    LocalCluster.Result add = memberAdd("n4", "--peer-urls=" + peerUrl);
    assertEquals(0, add.exit(), add::toString);
    String cluster = "n1=https://127.0.0.1:" + PEER[0] + ",n2=https://127.0.0.1:" + PEER[1]
        + ",n3=https://127.0.0.1:" + PEER[2] + ",n4=" + peerUrl;
    List<String> flags = new ArrayList<>(List.of("--name", "n4", "--initial-cluster", cluster,
        "--initial-cluster-state", "existing", "--listen-client-urls",
        "https://127.0.0.1:" + INTRUDER_CLIENT, "--listen-peer-urls", peerUrl,
        "--data-dir", DIR.resolve("n4").toString()));
    // Its certificate from the other CA; it trusts the cluster's CA (so only its own is wrong).
    flags.addAll(tlsFlags(otherCa, "n1", certs));
    try (MemberProcess n4 = MemberProcess.raftkv(DIR.resolve("n4.log"), flags)) {
      int exit = n4.awaitExit(60);
      assertTrue(exit > 0, () -> "n4 did not fail to join (exit " + exit + "): " + logOf(n4));
      assertTrue(logOf(n4).contains("cannot join the cluster"), () -> logOf(n4));
    }
    for (int k = 1; k <= 3; k++) {
      String log = members.get(k - 1).logText();
      long refusals = log.lines().filter(l -> l.contains("peer TLS handshake from 127.0.0.1"
          + " refused") && l.contains("CN=n1") && l.contains("is not trusted by"
          + " --peer-trusted-ca-file")).count();
      assertEquals(1, refusals, "n" + k + " should log the refusal once:\n" + log);
    }
    LocalCluster.Result list = etcdctl(endpoint(2), goodFlags(), "member", "list");
    assertTrue(list.out().contains("unstarted, , " + peerUrl), list::toString);
    LocalCluster.Result put = etcdctl(endpoint(3), goodFlags(), "put", "after/n4", "ok");
    assertEquals("OK\n", put.out(), put::toString);
    java.util.regex.Matcher id = java.util.regex.Pattern.compile("Member\\s+([0-9a-f]+) added")
        .matcher(add.out());
    assertTrue(id.find(), add::toString);
    LocalCluster.Result remove = etcdctl(endpoint(1), goodFlags(), "member", "remove",
        id.group(1)); // the cluster as it was, for the other tests
    assertEquals(0, remove.exit(), remove::toString);
  }

  @Test
  @DisplayName("member promote on a follower is forwarded to the leader's https client URL over"
      + " TLS with the member's own certificate: every member answers with the leader's verdict")
  void promoteIsForwardedOverTls() throws Exception {
    LocalCluster.Result add = memberAdd("n5", "--learner",
        "--peer-urls=https://127.0.0.1:" + (2379 + 280 + 3));
    assertEquals(0, add.exit(), add::toString);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Member\\s+([0-9a-f]+) added")
        .matcher(add.out());
    assertTrue(m.find(), add::toString);
    for (int k = 1; k <= 3; k++) {
      LocalCluster.Result promote = etcdctl(endpoint(k), goodFlags(), "member", "promote",
          m.group(1));
      assertEquals("Error: etcdserver: can only promote a learner member which is in sync with"
          + " leader", errorLine(promote), () -> promote + logOf(members.get(0)));
    }
    LocalCluster.Result remove = etcdctl(endpoint(1), goodFlags(), "member", "remove",
        m.group(1));
    assertEquals(0, remove.exit(), remove::toString);
  }

  /**
   * etcdctl member add, again while the members say "unhealthy cluster" (etcd's strict
   * reconfiguration check: every peer connected for 5 s, so not at once after the start).
   */
  private static LocalCluster.Result memberAdd(String name, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("member", "add", name));
    args.addAll(List.of(flags));
    long deadline = System.nanoTime() + 30_000_000_000L;
    LocalCluster.Result r = etcdctl(endpoint(1), goodFlags(), args.toArray(String[]::new));
    while (r.exit() != 0 && r.out().contains("unhealthy cluster")
        && System.nanoTime() < deadline) {
      Thread.sleep(500);
      r = etcdctl(endpoint(1), goodFlags(), args.toArray(String[]::new));
    }
    return r;
  }

  private static String logOf(MemberProcess p) {
    try {
      return p.logText();
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
