/**
 * The site's VPN CA: a self-signed root that the Macs install (com.apple.security.root,
 * docs/iked.md §3) and iked loads from /etc/iked/ca/. Because a Mac that installs a root trusts it
 * for everything it signs, the CA is name-constrained (DESIGN.md §5 "a site CA that signs VPN
 * certificates only"): DNS names under the site's VPN domain, no IP address, no mailbox.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { boolean, children, integer, octets, oid, readAll, seq, tlv } from '../../../signing/der.js';
import { nameDer } from '../../../signing/make-cert.js';
import { keyIdOf, keyKind, spkiDer } from './key-der.js';
import { OID } from '../../../signing/oids.js';
import { PKI_OID } from './oids.js';
import { certFields, checkDnsName, extension, generalName, keyUsage, signatureAlgorithm, signed, tbsCertificate } from './x509-der.js';

/** Inputs of {@link makeVpnCa}. Keys, serial and times come from the caller (the core is pure). */
export interface VpnCaSpec {
  commonName: string;
  organization?: string;
  /**
   * DNS subtrees the CA may certify, e.g. `vpn.example.com`, which also covers
   * `alice.vpn.example.com` (RFC 5280 §4.2.1.10: adding labels on the left). No leading period.
   */
  permittedDns: string[];
  /** The CA's private key: ECDSA P-256 (the default) or RSA ≥ 2048. */
  key: KeyObject;
  /** The matching public key; derived from `key` when omitted. */
  publicKey?: KeyObject;
  /** Positive, at most 20 octets (RFC 5280 §4.1.2.2); random, from the caller. */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /**
   * Put extendedKeyUsage serverAuth + clientAuth on the CA too (default true). Not required by
   * RFC 5280 (§4.2.1.12 defines EKU for end entities), but OpenSSL (X509_check_purpose) and Apple
   * (INFERRED) treat an EKU in a CA as a limit on its chain, so a Mac that trusts this root cannot
   * be made to accept its signature on code, S/MIME or timestamps. openssl verify
   * `-purpose sslserver|sslclient` still passes (tested).
   */
  extKeyUsage?: boolean;
}

/**
 * The "no mailbox can pass" constraint: a permitted rfc822Name subtree on the host `invalid`.
 * RFC 5280 §4.2.1.10: once a permitted subtree of a name type exists, every name of that type in
 * a later certificate (including emailAddress in the subject DN) must fall in it; `.invalid` is
 * reserved and never resolves (RFC 6761 §6.4), so no real address matches. An excluded empty
 * rfc822Name would say the same, but RFC 5280 gives no meaning to an empty constraint.
 */
export const NO_MAILBOX = 'invalid';

/**
 * NameConstraints (RFC 5280 §4.2.1.10), critical as the RFC requires: permitted dNSName subtrees
 * plus {@link NO_MAILBOX}; excluded iPAddress 0.0.0.0/0 and ::/0 (address + mask, 8 or 32 bytes),
 * without which iPAddress SANs would be unconstrained: constraints only bind the name types listed.
 */
export function nameConstraints(permittedDns: readonly string[]): Uint8Array {
  const subtree = (name: Uint8Array) => seq(name); // GeneralSubtree, minimum 0 and no maximum (DEFAULT, omitted)
  const permitted = [...permittedDns.map((d) => subtree(generalName({ dns: d }))), subtree(generalName({ email: NO_MAILBOX }))];
  // iPAddress [7] in a constraint is address then mask (RFC 5280 §4.2.1.10): all zeros = every address.
  const excluded = [subtree(tlv(0x87, new Uint8Array(8))), subtree(tlv(0x87, new Uint8Array(32)))];
  // [0] and [1] IMPLICIT GeneralSubtrees (the module is IMPLICIT TAGS): constructed 0xa0 / 0xa1.
  return extension(PKI_OID.nameConstraints, true, seq(tlv(0xa0, ...permitted), tlv(0xa1, ...excluded)));
}

/** Builds the self-signed VPN CA certificate (DER). */
export function makeVpnCa(spec: VpnCaSpec): Uint8Array {
  if (spec.permittedDns.length === 0) throw new RangeError('permittedDns needs at least one DNS name');
  for (const d of spec.permittedDns) checkDnsName(d, 'permittedDns entry');
  const kind = keyKind(spec.key);
  const publicKey = spec.publicKey ?? createPublicKey(spec.key);
  const sigAlg = signatureAlgorithm(kind);
  const name = nameDer({ commonName: spec.commonName, organization: spec.organization });
  const spki = spkiDer(publicKey);
  const keyId = keyIdOf(spki);
  const extensions = [
    // RFC 5280 §4.2.1.9: critical, cA TRUE; pathLenConstraint 0: it signs end entities only.
    extension(OID.basicConstraints, true, seq(boolean(true), integer(0))),
    // RFC 5280 §4.2.1.3: keyCertSign for certificates, cRLSign for the CRL iked loads.
    extension(OID.keyUsage, true, keyUsage(['keyCertSign', 'cRLSign'])),
    ...(spec.extKeyUsage === false ? [] : [extension(OID.extKeyUsage, false, seq(...[OID.serverAuth, OID.clientAuth].map(oid)))]),
    nameConstraints(spec.permittedDns),
    // RFC 5280 §4.2.1.2: SKI MUST be present in CA certificates (method 1, SHA-1 of the key);
    // AKI MAY be omitted in a self-signed root (§4.2.1.1), but carrying it helps chain builders.
    extension(OID.subjectKeyIdentifier, false, octets(keyId)),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId))),
  ];
  const tbs = tbsCertificate({
    serial: spec.serial,
    sigAlg,
    issuerName: name,
    notBefore: spec.notBefore,
    notAfter: spec.notAfter,
    subjectName: name,
    spki,
    extensions,
  });
  const der = signed(tbs, sigAlg, spec.key);
  if (!new X509Certificate(der).checkPrivateKey(spec.key)) throw new RangeError('publicKey does not match key');
  return der;
}

/** The permitted dNSName subtrees of a CA certificate's name constraints (DER in). */
export function permittedDnsOf(caCertDer: Uint8Array): string[] {
  const ext = certFields(caCertDer).extensions.find(([id]) => id === PKI_OID.nameConstraints);
  if (!ext) return [];
  const permitted = children(readAll(ext[1])).find((t) => t.tag === 0xa0);
  if (!permitted) return [];
  return children(permitted).flatMap((subtree) => children(subtree).filter((n) => n.tag === 0x82).map((n) => new TextDecoder().decode(n.value)));
}

/** Whether a name falls inside one of the CA's permitted DNS subtrees (RFC 5280 §4.2.1.10). */
export function caPermitsDns(caCertDer: Uint8Array, name: string): boolean {
  const n = name.toLowerCase();
  return permittedDnsOf(caCertDer).some((d) => n === d.toLowerCase() || n.endsWith(`.${d.toLowerCase()}`));
}
