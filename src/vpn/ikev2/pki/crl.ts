/**
 * The VPN CA's certificate revocation list (X.509 v2 CRL, RFC 5280 §5), for /etc/iked/crls/:
 * iked loads every file there as PEM (ca.c ca_reload: X509_load_crl_file(…, X509_FILETYPE_PEM))
 * and turns on X509_V_FLAG_CRL_CHECK once one loads, so a revoked user's IKE_AUTH fails.
 */
import { compareDer, integer, seq, tlv, time } from '../../../signing/der.js';
import { OID } from '../../../signing/oids.js';
import { PKI_OID } from './oids.js';
import { extension, pem, serialDer, signed, type Issuer } from './x509-der.js';

/** CRLReason values (RFC 5280 §5.3.1); 7 is unused, removeFromCRL (8) is for delta CRLs only. */
export const CRL_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
} as const;
export type CrlReason = keyof typeof CRL_REASONS;

/** One revoked certificate. */
export interface CrlEntry {
  /** The certificate's serial as issued (big-endian bytes; leading zeros are ignored). */
  serial: Uint8Array;
  revokedAt: Date;
  reason: CrlReason;
}

/** Inputs of {@link makeCrl}. */
export interface CrlSpec {
  issuer: Issuer;
  entries: readonly CrlEntry[];
  thisUpdate: Date;
  /** RFC 5280 §5.1.2.5: conforming CRL issuers MUST include nextUpdate. */
  nextUpdate: Date;
  /** Monotonically increasing per CA (RFC 5280 §5.2.3). */
  crlNumber: number;
}

/** Serial contents without leading zero bytes, so 00 01 and 01 sort and compare as the same number. */
function magnitude(serial: Uint8Array): Uint8Array {
  let i = 0;
  while (i < serial.length - 1 && serial[i] === 0) i++;
  return serial.subarray(i);
}

/** Numeric order of unsigned big-endian serials: shorter is smaller, then bytewise. */
function compareSerials(a: Uint8Array, b: Uint8Array): number {
  return a.length - b.length || compareDer(a, b);
}

function entryDer(e: CrlEntry): Uint8Array {
  const code = CRL_REASONS[e.reason];
  // RFC 5280 §5.3.1: "the reason code CRL entry extension SHOULD be absent instead of using the
  // unspecified (0) reasonCode value". CRLReason is an ENUMERATED (tag 0x0a).
  const exts = code === 0 ? [] : [seq(extension(PKI_OID.reasonCode, false, tlv(0x0a, Uint8Array.of(code))))];
  return seq(serialDer(e.serial), time(e.revokedAt), ...exts);
}

/**
 * Builds the v2 CRL (DER), entries sorted by serial so the same input always gives the same
 * TBSCertList, whatever order the caller keeps users in. Duplicate serials throw.
 */
export function makeCrl(spec: CrlSpec): Uint8Array {
  if (!(spec.thisUpdate.getTime() < spec.nextUpdate.getTime())) throw new RangeError('thisUpdate must be before nextUpdate');
  if (!Number.isSafeInteger(spec.crlNumber) || spec.crlNumber < 0) throw new RangeError('crlNumber must be a non-negative integer');
  const sorted = spec.entries.map((e) => ({ e, key: magnitude(e.serial) })).sort((a, b) => compareSerials(a.key, b.key));
  for (let i = 1; i < sorted.length; i++) {
    if (compareSerials(sorted[i - 1]!.key, sorted[i]!.key) === 0) {
      throw new RangeError(`serial ${Buffer.from(sorted[i]!.key).toString('hex')} is listed twice`);
    }
  }
  const { issuer } = spec;
  const crlExtensions = [
    // RFC 5280 §5.2.1: conforming CRL issuers MUST use the authorityKeyIdentifier extension.
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, issuer.keyId))),
    // RFC 5280 §5.2.3: MUST include cRLNumber (non-critical INTEGER).
    extension(PKI_OID.cRLNumber, false, integer(spec.crlNumber)),
  ];
  const tbs = seq(
    integer(1), // v2 (RFC 5280 §5.1.2.1), required once extensions are present
    issuer.sigAlg,
    issuer.nameDer,
    time(spec.thisUpdate),
    time(spec.nextUpdate),
    // RFC 5280 §5.1.2.6: with no revoked certificates the list MUST be absent, not empty.
    ...(sorted.length ? [seq(...sorted.map((s) => entryDer(s.e)))] : []),
    tlv(0xa0, seq(...crlExtensions)), // [0] EXPLICIT Extensions
  );
  return signed(tbs, issuer.sigAlg, issuer.key);
}

/** The CRL as PEM (RFC 7468 §6, label "X509 CRL"), the form iked reads from /etc/iked/crls/. */
export const crlPem = (der: Uint8Array): string => pem('X509 CRL', der);
