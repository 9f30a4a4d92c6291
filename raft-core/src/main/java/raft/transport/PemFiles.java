package raft.transport;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and keys in PEM, as etcd takes them: certificate files may hold a chain (the
 * leaf first); a key may be PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE
 * KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}), unencrypted (etcd reads no passphrase either).
 * Every problem is an {@link IllegalArgumentException} naming the flag and the file, so a member
 * refuses to start with one clear line.
 */
public final class PemFiles {
  private PemFiles() {
  }

  /** A certificate chain and its private key, checked to belong together. */
  public record KeyPair(List<X509Certificate> chain, PrivateKey key) {
    public KeyPair {
      chain = List.copyOf(chain);
    }

    public X509Certificate leaf() {
      return chain.get(0);
    }
  }

  /** Reads {@code certFlag}'s and {@code keyFlag}'s files and checks that they match. */
  public static KeyPair keyPair(Path cert, String certFlag, Path key, String keyFlag) {
    List<X509Certificate> chain = certificates(cert, certFlag);
    PrivateKey k = privateKey(key, keyFlag);
    if (!matches(k, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(keyFlag + " " + key + " is not the private key of "
          + certFlag + " " + cert + " (" + chain.get(0).getSubjectX500Principal().getName()
          + ")");
    }
    return new KeyPair(chain, k);
  }

  /** Every certificate in a PEM file (a CA bundle or a chain); at least one. */
  public static List<X509Certificate> certificates(Path file, String flag) {
    byte[] bytes = read(file, flag);
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (var c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new CertificateException("no certificate in it");
      }
      return out;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(flag + " " + file + " is not a PEM certificate: "
          + e.getMessage(), e);
    }
  }

  /** The one private key in a PEM file. */
  public static PrivateKey privateKey(Path file, String flag) {
    String pem = new String(read(file, flag), StandardCharsets.US_ASCII);
    try (Reader r = new java.io.StringReader(pem); PEMParser p = new PEMParser(r)) {
      JcaPEMKeyConverter convert = new JcaPEMKeyConverter();
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return convert.getPrivateKey(info); // PKCS#8
        }
        if (o instanceof PEMKeyPair pair) {
          return convert.getKeyPair(pair).getPrivate(); // PKCS#1 RSA, SEC1 EC
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo
            || o instanceof org.bouncycastle.openssl.PEMEncryptedKeyPair) {
          throw new IllegalArgumentException(flag + " " + file + " is encrypted; give an"
              + " unencrypted key (as etcd, which takes no passphrase)");
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + " " + file + " is not a PEM private key: "
          + e.getMessage(), e);
    }
    throw new IllegalArgumentException(flag + " " + file + " holds no PEM private key");
  }

  private static byte[] read(Path file, String flag) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(flag + " " + file + ": no such file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + " " + file + " cannot be read: " + e, e);
    }
  }

  /** Signs a random challenge with the key and verifies it with the certificate's key. */
  static boolean matches(PrivateKey key, PublicKey pub) {
    if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
      return false;
    }
    String alg = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "DSA" -> "SHA256withDSA";
      default -> key.getAlgorithm(); // Ed25519, Ed448: the algorithm is its own signature
    };
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(challenge);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(challenge);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
