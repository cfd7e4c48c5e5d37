/**
 * Shared pieces of the VPN PKI's X.509 encoding (RFC 5280), built on the hand-written DER encoder
 * in src/signing/der.ts and signed synchronously with node:crypto. Measured on the 2-core dev box
 * against @peculiar/x509 (async WebCrypto, plus reflect-metadata and tsyringe): a user
 * certificate from an ECDSA CA costs ~0.09 ms of CPU here against ~2.1 ms there, and a
 * 1,000-entry CRL ~4 ms against ~230 ms; DESIGN.md §6 gives the first IKEv2 build of 5,000 users
 * at most 2 × the L2TP build.
 */
import { sign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, boolean, children, explicit, integer, NULL, octets, oid, readAll, readOid, seq, time, tlv, unsignedInteger, type Tlv } from '../../../signing/der.js';
import { OID } from '../../../signing/oids.js';
import { keyIdOf, keyKind, type KeyKind } from './key-der.js';
import { PKI_OID } from './oids.js';

/**
 * AlgorithmIdentifier for the issuer's signature: ecdsa-with-SHA256 with absent parameters
 * (RFC 5758 §3.2), sha256WithRSAEncryption with NULL parameters (RFC 4055 §5).
 */
export function signatureAlgorithm(kind: KeyKind): Uint8Array {
  return kind === 'ECDSA256' ? seq(oid(OID.ecdsaWithSHA256)) : seq(oid(OID.sha256WithRSA), NULL);
}

/** Certificate or CertificateList = SEQUENCE { tbs, signatureAlgorithm, signatureValue } (RFC 5280 §4.1, §5.1). */
export function signed(tbs: Uint8Array, sigAlg: Uint8Array, key: KeyObject): Uint8Array {
  // node's ECDSA signatures are DER Ecdsa-Sig-Value already (RFC 5480 §2.2 / RFC 3279 §2.2.3).
  return seq(tbs, sigAlg, bitString(sign('sha256', tbs, key)));
}

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE, extnValue OCTET STRING } (RFC 5280 §4.1). */
export function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return seq(oid(id), ...(critical ? [boolean(true)] : []), octets(value));
}

const KU_BIT = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;
export type KeyUsageName = keyof typeof KU_BIT;

/** keyUsage BIT STRING (RFC 5280 §4.2.1.3), DER: trailing zero bits dropped (X.690 §11.2.2). */
export function keyUsage(names: readonly KeyUsageName[]): Uint8Array {
  let bits = 0;
  for (const n of names) bits |= 0x8000 >> KU_BIT[n];
  const bytes = bits & 0xff ? [bits >> 8, bits & 0xff] : [bits >> 8];
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return bitString(Uint8Array.from(bytes), unused);
}

/** A subjectAltName entry (RFC 5280 §4.2.1.6). `ip` is 4 or 16 raw bytes. */
export type GeneralName = { dns: string } | { ip: Uint8Array } | { email: string };

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** GeneralName, IMPLICIT context tags: rfc822Name [1], dNSName [2], iPAddress [7] (IA5String / OCTET STRING). */
export function generalName(n: GeneralName): Uint8Array {
  if ('dns' in n) return tlv(0x82, ascii(n.dns));
  if ('email' in n) return tlv(0x81, ascii(n.email));
  if (n.ip.length !== 4 && n.ip.length !== 16) throw new RangeError('an iPAddress is 4 or 16 bytes');
  return tlv(0x87, n.ip);
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/**
 * Throws unless `name` is an ASCII host name (RFC 1123 §2.1 labels; IDNs as A-labels, since a
 * dNSName is an IA5String, RFC 5280 §4.2.1.6). An all-numeric last label is an IPv4 literal
 * (RFC 3696 §2), which would need an iPAddress SAN, and the VPN CA excludes every address.
 */
export function checkDnsName(name: string, what: string): void {
  const labels = name.split('.');
  if (name.length > 253 || !labels.every((l) => LABEL.test(l))) throw new RangeError(`${what} "${name}" is not a DNS name`);
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw new RangeError(`${what} "${name}" is an IP address; use a DNS name`);
}

/** RFC 5280 §4.1.2.2: a positive serial of at most 20 octets as encoded. */
export function serialDer(serial: Uint8Array): Uint8Array {
  const der = unsignedInteger(serial.length ? serial : Uint8Array.of(0));
  const content = der.subarray(2);
  if (content.length > 20 || (content.length === 1 && content[0] === 0)) {
    throw new RangeError('serial must be positive and at most 20 octets encoded (RFC 5280 §4.1.2.2)');
  }
  return der;
}

/** The fields of a TBSCertificate v3 (RFC 5280 §4.1.2), extensions already encoded. */
export interface TbsFields {
  serial: Uint8Array;
  sigAlg: Uint8Array;
  issuerName: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectName: Uint8Array;
  /** SubjectPublicKeyInfo DER (spkiDer). */
  spki: Uint8Array;
  extensions: Uint8Array[];
}

/** TBSCertificate DER; validity uses UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
export function tbsCertificate(f: TbsFields): Uint8Array {
  if (!(f.notBefore.getTime() < f.notAfter.getTime())) throw new RangeError('notBefore must be before notAfter');
  return seq(
    explicit(0, integer(2)), // v3, needed for extensions (RFC 5280 §4.1.2.1)
    serialDer(f.serial),
    f.sigAlg,
    f.issuerName,
    seq(time(f.notBefore), time(f.notAfter)),
    f.subjectName,
    f.spki,
    explicit(3, seq(...f.extensions)),
  );
}

/** A CA ready to sign: parsed once, reused for every certificate and CRL it issues. */
export interface Issuer {
  certDer: Uint8Array;
  /** The CA's subject Name, copied byte for byte into each issuer field (RFC 5280 §4.1.2.4). */
  nameDer: Uint8Array;
  /** The CA's subjectKeyIdentifier, for authorityKeyIdentifier (RFC 5280 §4.2.1.1). */
  keyId: Uint8Array;
  key: KeyObject;
  kind: KeyKind;
  sigAlg: Uint8Array;
}

/** The TBSCertificate fields readers need (RFC 5280 §4.1), located without decoding them. */
export interface CertFields {
  serial: Tlv;
  validity: Tlv;
  subject: Tlv;
  spki: Tlv;
  /** Each Extension as [extnID dotted, extnValue contents]. */
  extensions: Array<[string, Uint8Array]>;
}

/** Splits a certificate's TBSCertificate into its fields (v1 certificates have no version tag). */
export function certFields(der: Uint8Array): CertFields {
  const tbs = children(children(readAll(der))[0]!);
  const v = tbs[0]!.tag === 0xa0 ? 1 : 0;
  const exts = tbs.find((t) => t.tag === 0xa3);
  const extensions = (exts ? children(children(exts)[0]!) : []).map((e): [string, Uint8Array] => {
    const parts = children(e); // extnID, [critical], extnValue
    return [readOid(parts[0]!.value), parts[parts.length - 1]!.value];
  });
  return { serial: tbs[v]!, validity: tbs[v + 3]!, subject: tbs[v + 4]!, spki: tbs[v + 5]!, extensions };
}

/** Parses a CA certificate and checks that `key` is its private key and that it is a CA. */
export function loadIssuer(certDer: Uint8Array, key: KeyObject): Issuer {
  const x = new X509Certificate(certDer);
  if (!x.ca) throw new RangeError('the issuer certificate is not a CA (basicConstraints cA is not TRUE)');
  if (!x.checkPrivateKey(key)) throw new RangeError('the issuer key does not match the issuer certificate');
  const f = certFields(certDer);
  const ski = f.extensions.find(([id]) => id === OID.subjectKeyIdentifier);
  const kind = keyKind(key);
  return {
    certDer,
    nameDer: f.subject.bytes,
    keyId: ski ? readAll(ski[1]).value : keyIdOf(f.spki.bytes),
    key,
    kind,
    sigAlg: signatureAlgorithm(kind),
  };
}

/** subjectAltName extension (RFC 5280 §4.2.1.6): critical only when the subject is empty, so never here. */
export const subjectAltName = (names: readonly GeneralName[]): Uint8Array =>
  extension(PKI_OID.subjectAltName, false, seq(...names.map(generalName)));

/** PEM text with 64-character lines (RFC 7468 §2), e.g. label "CERTIFICATE" or "X509 CRL". */
export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}
