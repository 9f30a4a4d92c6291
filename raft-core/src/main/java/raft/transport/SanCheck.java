package raft.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * etcd's check of a peer's client certificate against the address it connects from: a
 * certificate without IP or DNS subject alternative names passes; one with them must name that
 * address (an IP SAN equal to it, or a DNS SAN that resolves to it). A certificate copied to
 * another host is refused there.
 */
final class SanCheck {
  private static final int DNS = 2;
  private static final int IP = 7;

  private SanCheck() {
  }

  static void check(X509Certificate cert, String remoteHost) throws CertificateException {
    List<String> ips = new ArrayList<>();
    List<String> names = new ArrayList<>();
    sans(cert, ips, names);
    if (ips.isEmpty() && names.isEmpty()) {
      return;
    }
    InetAddress remote;
    try {
      remote = InetAddress.getByName(remoteHost); // an IP literal: no lookup
    } catch (UnknownHostException e) {
      throw new CertificateException("peer address " + remoteHost + " is not an address");
    }
    for (String ip : ips) {
      if (sameAddress(ip, remote)) {
        return;
      }
    }
    for (String name : names) {
      try {
        for (InetAddress a : InetAddress.getAllByName(name)) {
          if (a.equals(remote)) {
            return;
          }
        }
      } catch (UnknownHostException unresolved) {
        // as etcd: a name that does not resolve matches nothing
      }
    }
    throw new CertificateException("certificate " + cert.getSubjectX500Principal().getName()
        + " names IP " + ips + " and DNS " + names + ", not " + remote.getHostAddress()
        + ", the address this peer connects from");
  }

  private static boolean sameAddress(String ip, InetAddress remote) {
    try {
      return InetAddress.getByName(ip).equals(remote);
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void sans(X509Certificate cert, List<String> ips, List<String> names)
      throws CertificateParsingException {
    Collection<List<?>> all = cert.getSubjectAlternativeNames();
    if (all == null) {
      return;
    }
    for (List<?> san : all) {
      int type = (Integer) san.get(0);
      if (type == IP) {
        ips.add((String) san.get(1));
      } else if (type == DNS) {
        names.add((String) san.get(1));
      }
    }
  }
}
