/**
 * Fields of an X.509 certificate that node's X509Certificate does not expose as bytes or at all:
 * the issuer Name and serial number exactly as encoded (CMS issuerAndSerialNumber, RFC 5652 §10.2.4,
 * must match the certificate byte for byte), keyUsage bits and extendedKeyUsage OIDs (RFC 5280 §4.2.1.3, §4.2.1.12).
 */
import { children, readAll, readOid, readTime, type Tlv } from './der.js';
import { OID } from './oids.js';

/** RFC 5280 §4.2.1.3 KeyUsage bit names, bit 0 first. */
const KEY_USAGE_BITS = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

export interface CertFields {
  /** DER of the issuer Name. */
  issuerDer: Uint8Array;
  /** DER of the serialNumber INTEGER (whole TLV). */
  serialDer: Uint8Array;
  /** Serial number in hex, as openssl prints it. */
  serialHex: string;
  /** Key usage names when the extension is present. */
  keyUsage?: string[];
  /** Extended key usage OIDs when the extension is present. */
  extKeyUsage?: string[];
  /** basicConstraints cA flag (false when absent). */
  isCA: boolean;
  notBefore: Date;
  notAfter: Date;
}

function parseExtensions(ext: Tlv, out: CertFields): void {
  // extensions [3] EXPLICIT SEQUENCE OF Extension { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
  for (const e of children(children(ext)[0]!)) {
    const parts = children(e);
    const id = readOid(parts[0]!.value);
    const inner = readAll(parts[parts.length - 1]!.value);
    if (id === OID.keyUsage) {
      const unused = inner.value[0] ?? 0;
      const bits = inner.value.subarray(1);
      const names: string[] = [];
      KEY_USAGE_BITS.forEach((name, i) => {
        const byte = bits[i >> 3];
        if (byte !== undefined && i < bits.length * 8 - unused && byte & (0x80 >> (i & 7))) names.push(name);
      });
      out.keyUsage = names;
    } else if (id === OID.extKeyUsage) {
      out.extKeyUsage = children(inner).map((o) => readOid(o.value));
    } else if (id === OID.basicConstraints) {
      const first = children(inner)[0];
      out.isCA = first?.tag === 0x01 && first.value[0] !== 0;
    }
  }
}

/** Parses the fields above from a certificate's DER. Throws on malformed input. */
export function certFields(der: Uint8Array): CertFields {
  const tbs = children(children(readAll(der))[0]!);
  let i = tbs[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const serial = tbs[i]!;
  i += 2; // serialNumber, signature AlgorithmIdentifier
  const issuer = tbs[i]!;
  const validity = children(tbs[i + 1]!);
  const out: CertFields = {
    issuerDer: issuer.bytes,
    serialDer: serial.bytes,
    serialHex: Buffer.from(serial.value).toString('hex').replace(/^(00)+(?=.)/, '').toUpperCase(),
    isCA: false,
    notBefore: readTime(validity[0]!),
    notAfter: readTime(validity[1]!),
  };
  const ext = tbs.find((t) => t.tag === 0xa3);
  if (ext) parseExtensions(ext, out);
  return out;
}
