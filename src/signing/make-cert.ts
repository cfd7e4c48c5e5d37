/**
 * Builds X.509 v3 certificates (RFC 5280) with the DER encoder and signs them natively, for the
 * site's own CA and profile signer. Keys and serials come in from the caller (no randomness here);
 * forge's cert.sign would cost ~40 ms of pure-JS RSA per certificate (docs/performance.md §1.3).
 */
import { createHash, sign, type KeyObject } from 'node:crypto';
import { bitString, boolean, children, explicit, integer, NULL, octets, oid, readAll, seq, setOf, time, tlv, unsignedInteger, utf8String } from './der.js';
import { OID } from './oids.js';

export interface NameSpec {
  commonName: string;
  organization?: string;
}

export interface CertSpec {
  subject: NameSpec;
  /** Same as subject for a self-signed certificate. */
  issuer: NameSpec;
  /** Positive serial bytes (RFC 5280 §4.1.2.2: at most 20 octets); random, from the caller. */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  /** Issuer's public key (for the authorityKeyIdentifier) and private key (RSA, signs SHA-256). */
  issuerPublicKey: KeyObject;
  issuerKey: KeyObject;
  ca: boolean;
  keyUsage: Array<'digitalSignature' | 'keyCertSign' | 'cRLSign'>;
  extKeyUsage?: string[];
}

const KU_BIT = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** Name as RDNs O then CN, UTF8String (RFC 5280 §4.1.2.6); the same input gives the same bytes. */
export function nameDer(n: NameSpec): Uint8Array {
  const rdn = (id: string, v: string) => setOf([seq(oid(id), utf8String(v))]);
  return seq(...(n.organization ? [rdn(OID.organizationName, n.organization)] : []), rdn(OID.commonName, n.commonName));
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = children(readAll(publicKey.export({ type: 'spki', format: 'der' })));
  return createHash('sha1').update(spki[1]!.value.subarray(1)).digest();
}

function keyUsageBits(names: CertSpec['keyUsage']): Uint8Array {
  const bytes = [0, 0];
  for (const n of names) bytes[KU_BIT[n] >> 3]! |= 0x80 >> (KU_BIT[n] & 7);
  while (bytes.length > 1 && bytes[bytes.length - 1] === 0) bytes.pop();
  const last = bytes[bytes.length - 1]!;
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return bitString(Uint8Array.from(bytes), unused); // DER: trailing zero bits are dropped (X.690 §11.2.2)
}

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  seq(oid(id), ...(critical ? [boolean(true)] : []), octets(value));

export function makeCertificate(spec: CertSpec): Uint8Array {
  const sigAlg = seq(oid(OID.sha256WithRSA), NULL);
  const exts = [
    extension(OID.basicConstraints, true, spec.ca ? seq(boolean(true)) : seq()),
    extension(OID.keyUsage, true, keyUsageBits(spec.keyUsage)),
    ...(spec.extKeyUsage ? [extension(OID.extKeyUsage, false, seq(...spec.extKeyUsage.map(oid)))] : []),
    extension(OID.subjectKeyIdentifier, false, octets(keyIdentifier(spec.publicKey))),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyIdentifier(spec.issuerPublicKey)))),
  ];
  const tbs = seq(
    explicit(0, integer(2)), // v3
    unsignedInteger(spec.serial),
    sigAlg,
    nameDer(spec.issuer),
    seq(time(spec.notBefore), time(spec.notAfter)),
    nameDer(spec.subject),
    new Uint8Array(spec.publicKey.export({ type: 'spki', format: 'der' })),
    explicit(3, seq(...exts)),
  );
  return seq(tbs, sigAlg, bitString(sign('sha256', tbs, spec.issuerKey)));
}

/** PEM text of a DER certificate, 64-character lines (RFC 7468). */
export function certPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}
