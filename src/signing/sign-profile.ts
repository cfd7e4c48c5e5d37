/**
 * CMS SignedData (RFC 5652) for a .mobileconfig: content attached as id-data, DER, one SignerInfo
 * (v1, issuerAndSerialNumber) with signed attributes contentType, signingTime, messageDigest
 * (docs/apple.md §4), certificates = signer + chain. The signature comes from node:crypto
 * (native; node-forge's pure-JS RSA is ~50× slower, docs/performance.md §1.3), and nothing here
 * loads node-forge, so `macvpn profile` starts fast (DESIGN.md §6).
 * RSA PKCS#1 v1.5 is deterministic: same input, signer and time give the same bytes.
 */
import { createHash, sign } from 'node:crypto';
import { integer, NULL, octets, oid, seq, setOf, time, tlv } from './der.js';
import { OID } from './oids.js';
import type { Signer } from './signer.js';

interface Prepared {
  digestAlg: Uint8Array;
  digestAlgs: Uint8Array;
  sid: Uint8Array;
  sigAlg: Uint8Array;
  certificates: Uint8Array;
  contentTypeAttr: Uint8Array;
  version: Uint8Array;
  dataOid: Uint8Array;
  signingTimeOid: Uint8Array;
  messageDigestOid: Uint8Array;
  signedDataOid: Uint8Array;
}

const EC_SIG_OID = { sha256: OID.ecdsaWithSHA256, sha384: OID.ecdsaWithSHA384, sha512: OID.ecdsaWithSHA512 } as const;

/** Everything that is the same for every profile a signer signs, built once. */
const prepared = new WeakMap<Signer, Prepared>();

function prepare(s: Signer): Prepared {
  let p = prepared.get(s);
  if (p) return p;
  // SHA-2 AlgorithmIdentifier parameters are absent (RFC 5754 §2); openssl writes the same
  const digestAlg = seq(oid(OID[s.digest]));
  p = {
    digestAlg,
    digestAlgs: setOf([digestAlg]),
    // RFC 5652 §10.2.4; issuer and serial copied byte for byte from the certificate
    sid: seq(s.fields.issuerDer, s.fields.serialDer),
    // rsaEncryption with NULL is what `openssl smime/cms -sign` writes (RFC 3370 §3.2), the form
    // Macs have long accepted; ECDSA per RFC 5758 §3.2, parameters absent
    sigAlg: s.algorithm === 'rsa' ? seq(oid(OID.rsaEncryption), NULL) : seq(oid(EC_SIG_OID[s.digest])),
    certificates: setOf([s.certDer, ...s.chainDer], 0xa0), // [0] IMPLICIT CertificateSet, DER-sorted
    contentTypeAttr: seq(oid(OID.contentType), setOf([oid(OID.data)])),
    version: integer(1), // RFC 5652 §5.1: v1 for id-data content, no v2+ signers or attribute certs
    dataOid: oid(OID.data),
    signingTimeOid: oid(OID.signingTime),
    messageDigestOid: oid(OID.messageDigest),
    signedDataOid: oid(OID.signedData),
  };
  prepared.set(s, p);
  return p;
}

/**
 * The DER SET OF signed attributes (what the signature covers, RFC 5652 §5.4) for one signing
 * time, with the message digest left to fill in: every profile of a build shares the rest.
 * The SET's order (X.690 §11.6) does not depend on the digest's value: the three attributes differ
 * in length, which DER compares before any digest byte (contentType, signingTime, messageDigest).
 */
interface AttrsTemplate {
  time: number;
  bytes: Uint8Array;
  digestAt: number;
}

const attrsTemplates = new WeakMap<Signer, AttrsTemplate>();

function attrsTemplate(p: Prepared, s: Signer, signingTime: Date): AttrsTemplate {
  const t = attrsTemplates.get(s);
  if (t?.time === signingTime.getTime()) return t;
  const size = createHash(s.digest).digest().length;
  const marker = new Uint8Array(size).fill(0xff);
  const bytes = setOf([p.contentTypeAttr, seq(p.signingTimeOid, tlv(0x31, time(signingTime))), seq(p.messageDigestOid, tlv(0x31, octets(marker)))]);
  // The digest's OCTET STRING is the last thing in the messageDigest attribute, which sorts last.
  const made = { time: signingTime.getTime(), bytes, digestAt: bytes.length - size };
  attrsTemplates.set(s, made);
  return made;
}

function signedAttributes(p: Prepared, content: Uint8Array, s: Signer, signingTime: Date): Uint8Array {
  const t = attrsTemplate(p, s, signingTime);
  const attrs = Uint8Array.from(t.bytes);
  attrs.set(createHash(s.digest).update(content).digest(), t.digestAt);
  return attrs;
}

/** Tag and DER length of a TLV whose contents are `n` bytes long (X.690 §8.1.3). */
function header(tag: number, n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(tag, n);
  if (n < 0x100) return Uint8Array.of(tag, 0x81, n);
  if (n < 0x10000) return Uint8Array.of(tag, 0x82, n >> 8, n & 0xff);
  if (n < 0x1000000) return Uint8Array.of(tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff);
  return Uint8Array.of(tag, 0x84, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

const sum = (parts: readonly Uint8Array[]) => parts.reduce((n, b) => n + b.length, 0);

/**
 * ContentInfo { signedData, [0] SignedData { version, digestAlgorithms, encapContentInfo,
 * [0] certificates, SET { SignerInfo } } } (RFC 5652 §3, §5.1), written as the list of its pieces
 * and joined once: the content, the largest piece, is copied a single time.
 */
function assemble(p: Prepared, content: Uint8Array, attrs: Uint8Array, signature: Uint8Array): Uint8Array {
  // signedAttrs are [0] IMPLICIT in the SignerInfo: same bytes with the SET tag replaced
  const implicitAttrs = Uint8Array.from(attrs);
  implicitAttrs[0] = 0xa0;
  const signerInfoBody = [p.version, p.sid, p.digestAlg, implicitAttrs, p.sigAlg, header(0x04, signature.length), signature];
  const signerInfo = [header(0x30, sum(signerInfoBody)), ...signerInfoBody];
  const signerInfos = [header(0x31, sum(signerInfo)), ...signerInfo];
  const octetString = [header(0x04, content.length), content];
  const encapBody = [p.dataOid, header(0xa0, sum(octetString)), ...octetString];
  const signedDataBody = [p.version, p.digestAlgs, header(0x30, sum(encapBody)), ...encapBody, p.certificates, ...signerInfos];
  const signedData = [header(0x30, sum(signedDataBody)), ...signedDataBody];
  const body = [p.signedDataOid, header(0xa0, sum(signedData)), ...signedData];
  const parts = [header(0x30, sum(body)), ...body];
  return Buffer.concat(parts, sum(parts));
}

/** Signs `content` (the exact plist bytes); returns the DER .mobileconfig. */
export function signProfile(content: Uint8Array, signer: Signer, signingTime: Date): Uint8Array {
  const p = prepare(signer);
  const attrs = signedAttributes(p, content, signer, signingTime);
  return assemble(p, content, attrs, sign(signer.digest, attrs, signer.key));
}
