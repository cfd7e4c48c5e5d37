/**
 * Reads back from a DER certificate what the IKEv2 type needs to reuse or renew it: serial (for
 * the CRL), validity, SAN dNSNames (= iked `srcid` / the profile's identifiers), subject CN and
 * key type (the profile's `CertificateType`, docs/iked.md §3). Fields come straight from the DER
 * (RFC 5280 §4.1): node's X509Certificate costs ~100 µs to construct (OpenSSL 3 decoders) and its
 * text forms escape names and format dates; this walk costs a few µs per certificate.
 */
import { childOffsets, children, readAll, readOid, readTime, readTlv, type Tlv } from '../../../signing/der.js';
import { OID } from '../../../signing/oids.js';
import { spkiKind, type KeyKind } from './key-der.js';
import { PKI_OID } from './oids.js';
import { certFields } from './x509-der.js';

/** What {@link readCert} returns. */
export interface CertInfo {
  /** Lowercase hex of the positive serial, without leading zero bytes (see {@link serialHex}). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** subjectAltName dNSName entries, in certificate order. */
  dnsNames: string[];
  /** The subject's last commonName, or undefined. */
  commonName: string | undefined;
  keyType: KeyKind;
}

/** The form readCert uses for serials, so a serial kept as bytes compares equal to one read back. */
export function serialHex(serial: Uint8Array): string {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return Buffer.from(serial.subarray(i)).toString('hex');
}

/** Decodes the string types a CN may use: UTF8String, PrintableString, IA5String, BMPString. */
function directoryString(t: Tlv): string {
  if (t.tag === 0x1e) return Buffer.from(t.value).swap16().toString('utf16le');
  if (t.tag === 0x0c || t.tag === 0x13 || t.tag === 0x16) return new TextDecoder().decode(t.value);
  throw new Error(`unsupported string type 0x${t.tag.toString(16)} in the subject`);
}

/** Parses one certificate. Throws on malformed DER or an unsupported key type; does not verify it. */
export function readCert(der: Uint8Array): CertInfo {
  const f = certFields(der);
  const [notBefore, notAfter] = children(f.validity).map(readTime);
  let commonName: string | undefined;
  for (const rdn of children(f.subject)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (readOid(type!.value) === OID.commonName) commonName = directoryString(value!);
    }
  }
  const dnsNames: string[] = [];
  for (const [id, value] of f.extensions) {
    if (id !== PKI_OID.subjectAltName) continue;
    for (const gn of children(readAll(value))) if (gn.tag === 0x82) dnsNames.push(new TextDecoder().decode(gn.value));
  }
  return {
    serial: serialHex(f.serial.value),
    notBefore: notBefore!,
    notAfter: notAfter!,
    dnsNames,
    commonName,
    keyType: spkiKind(f.spki.bytes),
  };
}

/** TBSCertificate's field `n` counted without the optional [0] version (RFC 5280 §4.1): 0 serial … 5 SPKI. */
function tbsField(der: Uint8Array, n: number): Tlv {
  // = children(children(readAll(der))[0])[…]: every element is walked and checked as there, but
  // only the one asked for is made (the renewal check reads 5,000 notAfters; issue 12).
  const cert = readAll(der);
  const tbsAt = childOffsets(cert)[0];
  if (tbsAt === undefined) throw new Error('malformed certificate: no TBSCertificate');
  const tbs = readTlv(cert.value, tbsAt);
  const at = childOffsets(tbs);
  const field = at[(at.length > 0 && tbs.value[at[0]!] === 0xa0 ? 1 : 0) + n];
  if (field === undefined) throw new Error(`malformed certificate: TBSCertificate has no field ${n}`);
  return readTlv(tbs.value, field);
}

/** The certificate's notAfter alone: the renewal check reads it for every user on every build. */
export const readNotAfter = (der: Uint8Array): Date => readTime(children(tbsField(der, 3))[1]!);

/** The certificate's key type alone (the profile's CertificateType), without its extensions. */
export const readKeyType = (der: Uint8Array): KeyKind => spkiKind(tbsField(der, 5).bytes);
