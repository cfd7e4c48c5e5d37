/**
 * CMS SignedData (RFC 5652) for a .mobileconfig: content attached as id-data, DER, one SignerInfo
 * (v1, issuerAndSerialNumber) with signed attributes contentType, signingTime, messageDigest
 * (docs/apple.md §4), certificates = signer + chain. The signature comes from node:crypto
 * (native; node-forge's pure-JS RSA is ~50× slower, docs/performance.md §1.3), and nothing here
 * loads node-forge, so `macvpn profile` starts fast (DESIGN.md §6).
 * RSA PKCS#1 v1.5 is deterministic: same input, signer and time give the same bytes.
 */
import { createHash, sign } from 'node:crypto';
import { concat, explicit, integer, NULL, octets, oid, seq, setOf, time, tlv } from './der.js';
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
  };
  prepared.set(s, p);
  return p;
}

/** The DER SET OF signed attributes: what the signature covers (RFC 5652 §5.4). */
function signedAttributes(p: Prepared, content: Uint8Array, s: Signer, signingTime: Date): Uint8Array {
  const md = createHash(s.digest).update(content).digest();
  return setOf([
    p.contentTypeAttr,
    seq(p.signingTimeOid, tlv(0x31, time(signingTime))),
    seq(p.messageDigestOid, tlv(0x31, octets(md))),
  ]);
}

function assemble(p: Prepared, content: Uint8Array, attrs: Uint8Array, signature: Uint8Array): Uint8Array {
  // signedAttrs are [0] IMPLICIT in the SignerInfo: same bytes with the SET tag replaced
  const implicitAttrs = concat([Uint8Array.of(0xa0), attrs.subarray(1)]);
  const signerInfo = seq(p.version, p.sid, p.digestAlg, implicitAttrs, p.sigAlg, octets(signature));
  const encap = seq(p.dataOid, explicit(0, octets(content)));
  const signedData = seq(p.version, p.digestAlgs, encap, p.certificates, tlv(0x31, signerInfo));
  return seq(oid(OID.signedData), explicit(0, signedData));
}

/** Signs `content` (the exact plist bytes); returns the DER .mobileconfig. */
export function signProfile(content: Uint8Array, signer: Signer, signingTime: Date): Uint8Array {
  const p = prepare(signer);
  const attrs = signedAttributes(p, content, signer, signingTime);
  return assemble(p, content, attrs, sign(signer.digest, attrs, signer.key));
}
