package raft.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM as etcd takes it: PKCS#8, PKCS#1 and SEC1 keys; clear refusals for everything else. */
class PemFilesTest {
  @TempDir Path dir;

  private Path selfSigned(Path key, String cn) throws Exception {
    Path crt = dir.resolve(cn + ".crt");
    Openssl.run("openssl", "req", "-x509", "-new", "-key", key.toString(), "-subj", "/CN=" + cn,
        "-days", "1", "-out", crt.toString());
    return crt;
  }

  @Test
  void pkcs1RsaSec1EcAndPkcs8KeysLoadAndMatchTheirCertificates() throws Exception {
    Path rsa = dir.resolve("rsa.key");
    Openssl.run("openssl", "genrsa", "-traditional", "-out", rsa.toString(), "2048");
    assertTrue(Files.readString(rsa).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    Path ec = dir.resolve("ec.key");
    Openssl.run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
        ec.toString());
    assertTrue(Files.readString(ec).startsWith("-----BEGIN EC PRIVATE KEY-----"));
    Path p8 = dir.resolve("p8.key");
    Openssl.run("openssl", "genpkey", "-algorithm", "ED25519", "-out", p8.toString());
    assertTrue(Files.readString(p8).startsWith("-----BEGIN PRIVATE KEY-----"));
    for (Path key : new Path[] {rsa, ec, p8}) {
      String cn = key.getFileName().toString().replace(".key", "");
      PemFiles.KeyPair pair = PemFiles.keyPair(selfSigned(key, cn), "--cert-file", key,
          "--key-file");
      assertEquals("CN=" + cn, pair.leaf().getSubjectX500Principal().getName());
    }
  }

  @Test
  void aKeyOfAnotherCertificateAnEncryptedKeyAndNonPemAreRefusedByName() throws Exception {
    Path a = dir.resolve("a.key");
    Path b = dir.resolve("b.key");
    Openssl.run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
        a.toString());
    Openssl.run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out",
        b.toString());
    Path crt = selfSigned(a, "a");
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> PemFiles.keyPair(crt, "--cert-file", b, "--key-file"));
    assertEquals("--key-file " + b + " is not the private key of --cert-file " + crt
        + " (CN=a)", mismatch.getMessage());
    Path enc = dir.resolve("enc.key");
    Openssl.run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:secret", "-out", enc.toString());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> PemFiles.privateKey(enc, "--key-file")).getMessage()
        .contains("is encrypted; give an unencrypted key"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> PemFiles.privateKey(crt, "--key-file")).getMessage()
        .endsWith("holds no PEM private key"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> PemFiles.certificates(a, "--cert-file")).getMessage()
        .startsWith("--cert-file " + a + " is not a PEM certificate"));
    assertEquals("--trusted-ca-file /nonexistent: no such file",
        assertThrows(IllegalArgumentException.class, () -> PemFiles.certificates(
            Path.of("/nonexistent"), "--trusted-ca-file")).getMessage());
  }
}
