package raft.process;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import raft.transport.PemFiles;

/** Certificates for TLS tests: scripts/tls-certs' set, and what openssl cannot make simply. */
final class TlsCerts {
  private TlsCerts() {
  }

  /** scripts/tls-certs DIR --nodes N. */
  static Path make(Path dir, int nodes) throws Exception {
    LocalCluster.Result r = LocalCluster.run(List.of(
        LocalCluster.REPO.resolve("scripts/tls-certs").toString(), dir.toString(), "--nodes",
        String.valueOf(nodes)), null, 60);
    if (r.exit() != 0) {
      throw new AssertionError("scripts/tls-certs failed: " + r);
    }
    return dir;
  }

  /**
   * A client certificate (CN=expired) signed by {@code caDir}'s CA that expired a day ago:
   * {@code caDir/expired.crt} and {@code caDir/expired.key}.
   */
  static void expiredClient(Path caDir) throws Exception {
    X509Certificate ca = PemFiles.certificates(caDir.resolve("ca.crt"), "ca").get(0);
    PrivateKey caKey = PemFiles.privateKey(caDir.resolve("ca.key"), "ca key");
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = g.generateKeyPair();
    Instant now = Instant.now();
    var b = new JcaX509v3CertificateBuilder(ca, BigInteger.valueOf(now.toEpochMilli()),
        Date.from(now.minus(Duration.ofDays(2))), Date.from(now.minus(Duration.ofDays(1))),
        new X500Name("CN=expired"), pair.getPublic());
    b.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey)));
    Files.writeString(caDir.resolve("expired.crt"), pem(cert));
    // PKCS#8, as scripts/tls-certs writes keys (etcdctl 3.4 reads that form)
    Files.writeString(caDir.resolve("expired.key"), "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
  }

  private static String pem(Object o) throws Exception {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    }
    return s.toString();
  }
}
